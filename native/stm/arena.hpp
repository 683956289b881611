// Bump allocation for a block's short-lived engine data: read sets, write sets, the multi-version
// cells, their entries and tables. Each worker allocates from its own arena (no locking, no
// per-object free); everything is released at once when the block ends. A vector that one worker
// allocated and another grows simply moves into the second worker's arena (ArenaAllocator is
// stateless, so containers compare equal and swap or move freely).
//
// Arenas are pooled across blocks and keep their chunks: a block reuses memory the previous one
// already faulted in, instead of paying a page fault per 4 KiB of fresh memory on every block.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <memory_resource>
#include <mutex>
#include <new>
#include <stdexcept>
#include <vector>

#include "stm/prefetch.hpp"

namespace pevm::stm {

/// One worker's arena for one block. Not thread-safe: only the thread that activated it (with
/// ArenaScope) allocates from it.
class BlockArena final : public std::pmr::memory_resource {
public:
    BlockArena() = default;
    BlockArena(const BlockArena&) = delete;
    BlockArena& operator=(const BlockArena&) = delete;

    /// Forgets every allocation; the chunks stay for the next block.
    void reset() noexcept {
        current_ = 0;
        offset_ = 0;
        prefetched_ = 0;
    }
    /// Bytes held in chunks.
    size_t capacity() const noexcept {
        size_t total = 0;
        for (const Chunk& c : chunks_) total += c.size;
        return total;
    }

private:
    struct Chunk {
        std::unique_ptr<std::byte[]> data;
        size_t size = 0;
    };
    static constexpr size_t kFirstChunk = 256 * 1024;
    static constexpr size_t kMaxChunk = 64 * 1024 * 1024;
    static constexpr size_t kPrefetchAhead = 1024;  // bytes

    void* do_allocate(size_t bytes, size_t align) override {
        for (;;) {
            if (current_ < chunks_.size()) {
                // SAFETY: current_ < chunks_.size().
                Chunk& c = chunks_[current_];
                const auto base = reinterpret_cast<uintptr_t>(c.data.get());
                const size_t start =
                    ((base + offset_ + align - 1) & ~(uintptr_t{align} - 1)) - base;
                if (start <= c.size && bytes <= c.size - start) {
                    offset_ = start + bytes;
                    // Keep the lines ahead of the bump pointer on their way in, for writing: the
                    // chunk's memory is reused from earlier blocks and no longer cached, and a
                    // new cell's construction, the lock taken on it and the compare-and-swap that
                    // publishes it each waited for such a line.
                    if (offset_ + kPrefetchAhead > prefetched_) {
                        const size_t end = std::min(c.size, offset_ + kPrefetchAhead);
                        for (prefetched_ = std::max(prefetched_, offset_); prefetched_ < end;
                             prefetched_ += 64)
                            prefetch_write(c.data.get() + prefetched_);
                    }
                    return c.data.get() + start;
                }
                ++current_;
                offset_ = 0;
                prefetched_ = 0;
                continue;
            }
            const size_t last = chunks_.empty() ? kFirstChunk / 2 : chunks_.back().size;
            const size_t size = std::max(std::min(2 * last, kMaxChunk), bytes + align);
            chunks_.push_back(Chunk{std::make_unique_for_overwrite<std::byte[]>(size), size});
            current_ = chunks_.size() - 1;
            offset_ = 0;
            prefetched_ = 0;
        }
    }
    void do_deallocate(void*, size_t, size_t) override {}
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
        return this == &other;
    }

    std::vector<Chunk> chunks_;
    size_t current_ = 0;     // the chunk being filled
    size_t offset_ = 0;      // bytes used in it
    size_t prefetched_ = 0;  // the current chunk's lines below this were prefetched
};

/// The process-wide pool of arenas: a block takes one per worker and gives them back (reset) when
/// its data is gone. Arenas that grew beyond kKeepBytes are freed instead of kept.
class ArenaPool {
public:
    static constexpr size_t kKeepBytes = 256u * 1024 * 1024;

    static std::unique_ptr<BlockArena> acquire() {
        {
            std::lock_guard lock(mutex());
            auto& free = arenas();
            if (!free.empty()) {
                auto arena = std::move(free.back());
                free.pop_back();
                return arena;
            }
        }
        return std::make_unique<BlockArena>();
    }
    static void release(std::unique_ptr<BlockArena> arena) noexcept {
        if (arena == nullptr || arena->capacity() > kKeepBytes) return;
        arena->reset();
        try {
            std::lock_guard lock(mutex());
            arenas().push_back(std::move(arena));
        } catch (...) {
            // Out of memory while keeping it: just free it.
        }
    }

private:
    static std::mutex& mutex() {
        static std::mutex m;
        return m;
    }
    static std::vector<std::unique_ptr<BlockArena>>& arenas() {
        static std::vector<std::unique_ptr<BlockArena>> a;
        return a;
    }
};

/// The arenas of one block (one per worker), taken from the pool and given back on destruction.
class BlockArenas {
public:
    explicit BlockArenas(size_t count) {
        arenas_.reserve(count);
        for (size_t i = 0; i < count; ++i) arenas_.push_back(ArenaPool::acquire());
    }
    ~BlockArenas() {
        for (auto& a : arenas_) ArenaPool::release(std::move(a));
    }
    BlockArenas(const BlockArenas&) = delete;
    BlockArenas& operator=(const BlockArenas&) = delete;
    BlockArena& operator[](size_t i) noexcept {
        // SAFETY: callers index below the count they constructed with.
        return *arenas_[i];
    }

private:
    std::vector<std::unique_ptr<BlockArena>> arenas_;
};

/// A fixed array of `n` value-initialized T in an arena, destroyed (not freed) with its owner: for
/// a block's per-transaction arrays, which a fresh allocation would page-fault in again on every
/// block (a few MB for a block of 10,000 transactions). Must not outlive the arena's block.
template <class T>
class ArenaArray {
public:
    ArenaArray(BlockArena& arena, size_t n)
        : data_(static_cast<T*>(arena.allocate(std::max<size_t>(n, 1) * sizeof(T), alignof(T)))) {
        try {
            for (; size_ < n; ++size_) new (data_ + size_) T();
        } catch (...) {
            destroy();
            throw;
        }
    }
    ~ArenaArray() { destroy(); }
    ArenaArray(const ArenaArray&) = delete;
    ArenaArray& operator=(const ArenaArray&) = delete;

    T& operator[](size_t i) noexcept {
        // SAFETY: callers index below the size they constructed with.
        return data_[i];
    }

private:
    void destroy() noexcept {
        while (size_ > 0) data_[--size_].~T();
    }
    T* data_;
    size_t size_ = 0;
};

namespace detail {
inline thread_local std::pmr::memory_resource* current_arena = nullptr;
}  // namespace detail

/// The calling thread's active arena (null outside a block): a helper thread that works for a
/// worker while the worker waits for it (a deep-stack thread) takes it over with ArenaScope.
inline std::pmr::memory_resource* active_arena() noexcept {
    return detail::current_arena;
}

/// Makes `arena` the calling thread's arena until the scope ends.
class ArenaScope {
public:
    explicit ArenaScope(BlockArena& arena) noexcept : ArenaScope(&arena) {}
    explicit ArenaScope(std::pmr::memory_resource* arena) noexcept
        : previous_(detail::current_arena) {
        detail::current_arena = arena;
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
