// Bump allocation for a block's short-lived engine data: read sets, write sets, the entries of
// multi-version cells. Each worker allocates from its own arena (no locking, no per-object free);
// everything is released at once when the block's arenas are destroyed. A vector that one worker
// allocated and another grows simply moves into the second worker's arena (ArenaAllocator is
// stateless, so containers compare equal and swap or move freely).
#pragma once

#include <cstddef>
#include <memory_resource>
#include <new>
#include <stdexcept>
#include <vector>

namespace pevm::stm {

namespace detail {
inline thread_local std::pmr::memory_resource* current_arena = nullptr;
}  // namespace detail

/// One worker's arena for one block. Not thread-safe: only the thread that activated it (with
/// ArenaScope) allocates from it.
class BlockArena {
public:
    BlockArena() = default;
    BlockArena(const BlockArena&) = delete;
    BlockArena& operator=(const BlockArena&) = delete;
    std::pmr::memory_resource* resource() noexcept { return &resource_; }

private:
    std::pmr::monotonic_buffer_resource resource_{64 * 1024};
};

/// Makes `arena` the calling thread's arena until the scope ends.
class ArenaScope {
public:
    explicit ArenaScope(BlockArena& arena) noexcept : previous_(detail::current_arena) {
        detail::current_arena = arena.resource();
    }
    ~ArenaScope() { detail::current_arena = previous_; }
    ArenaScope(const ArenaScope&) = delete;
    ArenaScope& operator=(const ArenaScope&) = delete;

private:
    std::pmr::memory_resource* previous_;
};

/// Allocates from the calling thread's active arena; deallocation is a no-op (the arena frees
/// everything at the end of the block). Using it with no active arena is a programming error.
template <class T>
struct ArenaAllocator {
    using value_type = T;
    ArenaAllocator() noexcept = default;
    template <class U>
    ArenaAllocator(const ArenaAllocator<U>&) noexcept {}

    T* allocate(size_t n) {
        std::pmr::memory_resource* arena = detail::current_arena;
        if (arena == nullptr) throw std::logic_error("Block-STM arena allocation outside a block");
        return static_cast<T*>(arena->allocate(n * sizeof(T), alignof(T)));
    }
    void deallocate(T*, size_t) noexcept {}

    template <class U>
    friend bool operator==(const ArenaAllocator&, const ArenaAllocator<U>&) noexcept {
        return true;
    }
};

template <class T>
using ArenaVector = std::vector<T, ArenaAllocator<T>>;

}  // namespace pevm::stm
