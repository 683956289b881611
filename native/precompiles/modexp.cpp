// MODEXP. Gas first: the three 32-byte length words can declare up to 2^256-1 bytes, so gas is
// computed in 128-bit saturating arithmetic from clamped lengths (a length above the clamp
// already costs more than any int64 gas, unless its factor is zero, which the clamp keeps).
// Then the arithmetic on 64-bit limbs (little-endian limb order): Montgomery multiplication
// (CIOS) for odd moduli, schoolbook product plus Knuth division (algorithm D) for even ones, a
// fixed-window exponentiation over the exponent bytes that are inside the input, and plain
// squarings for declared exponent bytes beyond the input (which are zeros).
#include "precompiles/modexp.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace pevm::precompiles {
namespace {

using u128 = unsigned __int128;

constexpr u128 kU128Max = ~u128{0};
constexpr uint64_t kOsakaLengthLimit = 1024;  // EIP-7823
// Clamps, see the file comment: a base/modulus length of 2^40 makes the multiplication
// complexity exceed 2^63 in every pricing; an exponent length of 2^66 does the same for the
// iteration count (8 * 2^66 / 20 > 2^63 under EIP-198, the cheapest divisor).
constexpr u128 kLengthClamp = u128{1} << 40;
constexpr u128 kExpLengthClamp = u128{1} << 66;

u128 mul_sat(u128 a, u128 b) noexcept {
    if (a == 0 || b == 0) return 0;
    return a > kU128Max / b ? kU128Max : a * b;
}

/// The 32-byte big-endian word at `offset` of `in` (zero-padded), as a value clamped to `clamp`.
u128 read_length(std::span<const uint8_t> in, size_t offset, u128 clamp) noexcept {
    uint8_t word[32]{};
    if (offset < in.size())
        std::memcpy(word, in.data() + offset, std::min<size_t>(32, in.size() - offset));
    for (int i = 0; i < 16; ++i)
        if (word[i] != 0) return clamp;
    u128 v = 0;
    for (int i = 16; i < 32; ++i) v = (v << 8) | word[i];
    return std::min(v, clamp);
}

struct Header {
    u128 base_len, exp_len, mod_len;
};

Header read_header(std::span<const uint8_t> in) noexcept {
    return {read_length(in, 0, kLengthClamp), read_length(in, 32, kExpLengthClamp),
            read_length(in, 64, kLengthClamp)};
}

/// The bytes of `in` in [offset, offset + len) that exist (the rest are implicit zeros).
std::span<const uint8_t> slice(std::span<const uint8_t> in, u128 offset, u128 len) noexcept {
    if (offset >= in.size()) return {};
    const size_t begin = static_cast<size_t>(offset);
    const size_t avail = in.size() - begin;
    return in.subspan(begin, len < avail ? static_cast<size_t>(len) : avail);
}

/// Index of the highest set bit of the exponent's first min(32, exp_len) bytes (0 when none):
/// the "bit_length - 1" term of the iteration count.
uint64_t exp_head_log2(std::span<const uint8_t> in, const Header& h) noexcept {
    const u128 head_len = std::min<u128>(h.exp_len, 32);
    const auto head = slice(in, u128{96} + h.base_len, head_len);
    // Bytes beyond the input are zeros at the low end, so the top bit position counts from the
    // declared head length, not from the bytes that exist.
    for (size_t i = 0; i < head.size(); ++i) {
        if (head[i] != 0) {
            const uint64_t bits_after = 8 * (static_cast<uint64_t>(head_len) - 1 - i);
            return bits_after + (7 - static_cast<uint64_t>(std::countl_zero(head[i])));
        }
    }
    return 0;
}

u128 iteration_count(std::span<const uint8_t> in, const Header& h,
                     uint64_t bits_per_byte) noexcept {
    u128 count = exp_head_log2(in, h);
    if (h.exp_len > 32) count += (h.exp_len - 32) * bits_per_byte;
    return std::max<u128>(count, 1);
}

// EIP-198's piecewise multiplication complexity of the larger length x.
u128 complexity_eip198(u128 x) noexcept {
    if (x <= 64) return x * x;
    if (x <= 1024) return x * x / 4 + 96 * x - 3072;
    return x * x / 16 + 480 * x - 199680;
}

uint64_t to_gas(u128 v) noexcept {
    return v > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(v);
}

// ---- limb arithmetic -------------------------------------------------------------------------

using Limbs = std::vector<uint64_t>;

/// Big-endian bytes followed by `zero_tail` zero bytes, as trimmed limbs (empty for zero).
Limbs from_bytes(std::span<const uint8_t> bytes, size_t zero_tail) {
    size_t first = 0;
    while (first < bytes.size() && bytes[first] == 0) ++first;
    const size_t sig = bytes.size() - first;
    if (sig == 0) return {};
    const size_t total = sig + zero_tail;
    Limbs r((total + 7) / 8, 0);
    for (size_t i = 0; i < sig; ++i) {
        const size_t pos = zero_tail + (sig - 1 - i);  // byte position from the least significant
        r[pos / 8] |= uint64_t{bytes[first + i]} << (8 * (pos % 8));
    }
    while (!r.empty() && r.back() == 0) r.pop_back();
    return r;
}

/// r = a mod m (m trimmed, m.size() >= 1, top limb nonzero); r gets m.size() limbs.
void mod_reduce(const uint64_t* a, size_t an, const Limbs& m, uint64_t* r) {
    const size_t n = m.size();
    while (an > 0 && a[an - 1] == 0) --an;
    bool less = an < n;
    if (an == n) {
        size_t i = n;
        while (i > 0 && a[i - 1] == m[i - 1]) --i;
        less = i > 0 && a[i - 1] < m[i - 1];
    }
    if (less) {
        std::fill(r, r + n, 0);
        std::copy(a, a + an, r);
        return;
    }
    if (n == 1) {
        u128 rem = 0;
        for (size_t i = an; i-- > 0;) rem = ((rem << 64) | a[i]) % m[0];
        r[0] = static_cast<uint64_t>(rem);
        return;
    }
    // Knuth, TAOCP vol. 2, 4.3.1, algorithm D (remainder only).
    const int s = std::countl_zero(m[n - 1]);
    Limbs v(n), u(an + 1);
    for (size_t i = n; i-- > 0;) v[i] = (m[i] << s) | (s != 0 && i > 0 ? m[i - 1] >> (64 - s) : 0);
    u[an] = s != 0 ? a[an - 1] >> (64 - s) : 0;
    for (size_t i = an; i-- > 0;) u[i] = (a[i] << s) | (s != 0 && i > 0 ? a[i - 1] >> (64 - s) : 0);
    const uint64_t d1 = v[n - 1], d2 = v[n - 2];
    for (size_t j = an - n + 1; j-- > 0;) {
        const u128 num = (u128{u[j + n]} << 64) | u[j + n - 1];
        u128 qhat = num / d1;
        u128 rhat = num % d1;
        while ((qhat >> 64) != 0 || qhat * d2 > ((rhat << 64) | u[j + n - 2])) {
            --qhat;
            rhat += d1;
            if ((rhat >> 64) != 0) break;
        }
        const uint64_t q = static_cast<uint64_t>(qhat);
        uint64_t borrow = 0, carry = 0;
        for (size_t i = 0; i < n; ++i) {
            const u128 p = u128{q} * v[i] + carry;
            carry = static_cast<uint64_t>(p >> 64);
            const uint64_t plo = static_cast<uint64_t>(p);
            const uint64_t t = u[i + j] - plo;
            const uint64_t b1 = u[i + j] < plo;
            u[i + j] = t - borrow;
            borrow = b1 | (t < borrow);
        }
        const u128 sub = u128{carry} + borrow;
        const bool negative = u[j + n] < sub;
        u[j + n] = static_cast<uint64_t>(u[j + n] - sub);
        if (negative) {  // qhat was one too large: add v back
            uint64_t c = 0;
            for (size_t i = 0; i < n; ++i) {
                const u128 sum = u128{u[i + j]} + v[i] + c;
                u[i + j] = static_cast<uint64_t>(sum);
                c = static_cast<uint64_t>(sum >> 64);
            }
            u[j + n] += c;
        }
    }
    for (size_t i = 0; i < n; ++i) r[i] = (u[i] >> s) | (s != 0 ? u[i + 1] << (64 - s) : 0);
}

/// Montgomery arithmetic modulo an odd m of n limbs, R = 2^(64n).
class Montgomery {
public:
    explicit Montgomery(const Limbs& m)
        : m_(m), n_(m.size()), t_(m.size() + 2), w_(2 * m.size() + 1) {
        uint64_t inv = m[0];  // Newton iteration: 3 correct low bits, doubling each step
        for (int i = 0; i < 5; ++i) inv *= 2 - m[0] * inv;
        n0inv_ = ~inv + 1;
    }
    size_t size() const noexcept { return n_; }

    /// x * R mod m, for x of any size.
    void to_mont(const Limbs& x, uint64_t* out) const {
        Limbs shifted(n_ + x.size(), 0);
        std::copy(x.begin(), x.end(), shifted.begin() + static_cast<ptrdiff_t>(n_));
        mod_reduce(shifted.data(), shifted.size(), m_, out);
    }

    /// out = a * b / R mod m (CIOS); a, b < m; out may alias a or b.
    void mul(const uint64_t* a, const uint64_t* b, uint64_t* out) noexcept {
        const size_t n = n_;
        uint64_t* t = t_.data();
        std::fill(t, t + n + 2, 0);
        const uint64_t* m = m_.data();
        for (size_t i = 0; i < n; ++i) {
            uint64_t c = 0;
            const uint64_t bi = b[i];
            for (size_t j = 0; j < n; ++j) {
                const u128 p = u128{a[j]} * bi + t[j] + c;
                t[j] = static_cast<uint64_t>(p);
                c = static_cast<uint64_t>(p >> 64);
            }
            u128 s = u128{t[n]} + c;
            t[n] = static_cast<uint64_t>(s);
            t[n + 1] = static_cast<uint64_t>(s >> 64);
            const uint64_t q = t[0] * n0inv_;
            u128 p = u128{q} * m[0] + t[0];
            c = static_cast<uint64_t>(p >> 64);
            for (size_t j = 1; j < n; ++j) {
                p = u128{q} * m[j] + t[j] + c;
                t[j - 1] = static_cast<uint64_t>(p);
                c = static_cast<uint64_t>(p >> 64);
            }
            s = u128{t[n]} + c;
            t[n - 1] = static_cast<uint64_t>(s);
            t[n] = t[n + 1] + static_cast<uint64_t>(s >> 64);
        }
        finish(t, t[n], out);
    }

    /// out = a * a / R mod m: the cross products once, doubled, then a separate reduction
    /// (about 3/4 of mul's multiplications); out may alias a.
    void sqr(const uint64_t* a, uint64_t* out) noexcept {
        const size_t n = n_;
        uint64_t* w = w_.data();
        std::fill(w, w + 2 * n + 1, 0);
        for (size_t i = 0; i < n; ++i) {
            uint64_t c = 0;
            for (size_t j = i + 1; j < n; ++j) {
                const u128 p = u128{a[i]} * a[j] + w[i + j] + c;
                w[i + j] = static_cast<uint64_t>(p);
                c = static_cast<uint64_t>(p >> 64);
            }
            w[i + n] = c;
        }
        uint64_t shifted_out = 0;  // doubling: the cross terms are below a^2, nothing is lost
        for (size_t k = 0; k < 2 * n; ++k) {
            const uint64_t v = w[k];
            w[k] = (v << 1) | shifted_out;
            shifted_out = v >> 63;
        }
        uint64_t c = 0;
        for (size_t i = 0; i < n; ++i) {
            const u128 p = u128{a[i]} * a[i];
            u128 s = u128{w[2 * i]} + static_cast<uint64_t>(p) + c;
            w[2 * i] = static_cast<uint64_t>(s);
            s = u128{w[2 * i + 1]} + static_cast<uint64_t>(p >> 64) +
                static_cast<uint64_t>(s >> 64);
            w[2 * i + 1] = static_cast<uint64_t>(s);
            c = static_cast<uint64_t>(s >> 64);
        }
        // Montgomery reduction (REDC), one limb at a time; `carry` is the overflow at w[i + n].
        const uint64_t* m = m_.data();
        uint64_t carry = 0;
        for (size_t i = 0; i < n; ++i) {
            const uint64_t q = w[i] * n0inv_;
            c = 0;
            for (size_t j = 0; j < n; ++j) {
                const u128 p = u128{q} * m[j] + w[i + j] + c;
                w[i + j] = static_cast<uint64_t>(p);
                c = static_cast<uint64_t>(p >> 64);
            }
            const u128 s = u128{w[i + n]} + c + carry;
            w[i + n] = static_cast<uint64_t>(s);
            carry = static_cast<uint64_t>(s >> 64);
        }
        finish(w + n, carry, out);
    }

    /// x / R mod m: leaves Montgomery form.
    void from_mont(const uint64_t* x, uint64_t* out) {
        Limbs one(n_, 0);
        one[0] = 1;
        mul(x, one.data(), out);
    }

private:
    /// out = t - m when (top, t) >= m, else t: the final step of both products (t < 2m).
    void finish(const uint64_t* t, uint64_t top, uint64_t* out) const noexcept {
        const size_t n = n_;
        const uint64_t* m = m_.data();
        bool ge = top != 0;
        if (!ge) {
            ge = true;  // equal counts as >=
            for (size_t i = n; i-- > 0;)
                if (t[i] != m[i]) {
                    ge = t[i] > m[i];
                    break;
                }
        }
        if (ge) {
            uint64_t borrow = 0;
            for (size_t i = 0; i < n; ++i) {
                const uint64_t d = t[i] - m[i];
                const uint64_t b1 = t[i] < m[i];
                out[i] = d - borrow;
                borrow = b1 | (d < borrow);
            }
        } else {
            std::copy(t, t + n, out);
        }
    }

    const Limbs& m_;
    size_t n_;
    uint64_t n0inv_;
    Limbs t_;  // mul's n + 2 limbs
    Limbs w_;  // sqr's 2n + 1 limbs
};

/// Plain arithmetic modulo any m of n limbs: schoolbook product, then division.
class PlainMod {
public:
    explicit PlainMod(const Limbs& m) : m_(m), n_(m.size()), prod_(2 * m.size()) {}
    size_t size() const noexcept { return n_; }
    void sqr(const uint64_t* a, uint64_t* out) { mul(a, a, out); }
    void mul(const uint64_t* a, const uint64_t* b, uint64_t* out) {
        const size_t n = n_;
        std::fill(prod_.begin(), prod_.end(), 0);
        for (size_t i = 0; i < n; ++i) {
            uint64_t c = 0;
            for (size_t j = 0; j < n; ++j) {
                const u128 p = u128{a[i]} * b[j] + prod_[i + j] + c;
                prod_[i + j] = static_cast<uint64_t>(p);
                c = static_cast<uint64_t>(p >> 64);
            }
            prod_[i + n] = c;
        }
        mod_reduce(prod_.data(), prod_.size(), m_, out);
    }

private:
    const Limbs& m_;
    size_t n_;
    Limbs prod_;
};

/// acc = base^exp in the ring of `ring`, where acc starts as the ring's one and `base` is in the
/// ring's representation. The exponent is `exp` bytes followed by `zero_tail` zero bytes.
template <typename Ring>
void power(Ring& ring, const uint64_t* base, std::span<const uint8_t> exp, uint64_t zero_tail,
           uint64_t* acc) {
    const size_t n = ring.size();
    const uint64_t total_bits = 8 * static_cast<uint64_t>(exp.size());
    uint64_t first = 0;  // index (from the most significant) of the first set bit
    while (first < total_bits && ((exp[first / 8] >> (7 - first % 8)) & 1) == 0) ++first;
    const uint64_t bits = total_bits - first;
    const int window = bits <= 32 ? 1 : bits <= 512 ? 4 : 5;

    // table[i] = base^i for i in [1, 2^window)
    const size_t entries = size_t{1} << window;
    Limbs table(entries * n);
    std::copy(base, base + n, table.data() + n);
    for (size_t i = 2; i < entries; ++i)
        ring.mul(table.data() + (i - 1) * n, base, table.data() + i * n);

    bool started = false;
    for (uint64_t pos = first; pos < total_bits;) {
        const int chunk = static_cast<int>(std::min<uint64_t>(window, total_bits - pos));
        unsigned value = 0;
        for (int k = 0; k < chunk; ++k, ++pos)
            value = (value << 1) | ((exp[pos / 8] >> (7 - pos % 8)) & 1);
        if (started)
            for (int k = 0; k < chunk; ++k) ring.sqr(acc, acc);
        if (value != 0) {
            if (started) {
                ring.mul(acc, table.data() + value * n, acc);
            } else {
                std::copy(table.data() + value * n, table.data() + (value + 1) * n, acc);
                started = true;
            }
        }
    }
    if (!started) return;  // exponent zero: acc stays one
    for (uint64_t i = 0; i < zero_tail; ++i)
        for (int k = 0; k < 8; ++k) ring.sqr(acc, acc);
}

void write_be(const Limbs& x, std::span<uint8_t> out) noexcept {
    std::fill(out.begin(), out.end(), 0);
    for (size_t i = 0; i < out.size() && i / 8 < x.size(); ++i)
        out[out.size() - 1 - i] = static_cast<uint8_t>(x[i / 8] >> (8 * (i % 8)));
}

}  // namespace

uint64_t modexp_gas(std::span<const uint8_t> input, evmc_revision rev) noexcept {
    const Header h = read_header(input);
    const u128 max_len = std::max(h.base_len, h.mod_len);
    if (rev >= EVMC_OSAKA) {
        if (h.base_len > kOsakaLengthLimit || h.exp_len > kOsakaLengthLimit ||
            h.mod_len > kOsakaLengthLimit)
            return 0;  // modexp_run fails: the call fails and consumes all gas
        const u128 words = (max_len + 7) / 8;
        const u128 complexity = max_len <= 32 ? 16 : 2 * words * words;
        return to_gas(std::max<u128>(500, complexity * iteration_count(input, h, 16)));
    }
    if (rev >= EVMC_BERLIN) {
        const u128 words = (max_len + 7) / 8;
        return to_gas(
            std::max<u128>(200, mul_sat(words * words, iteration_count(input, h, 8)) / 3));
    }
    return to_gas(mul_sat(complexity_eip198(max_len), iteration_count(input, h, 8)) / 20);
}

bool modexp_run(std::span<const uint8_t> input, evmc_revision rev, std::vector<uint8_t>& out) {
    const Header h = read_header(input);
    if (rev >= EVMC_OSAKA && (h.base_len > kOsakaLengthLimit || h.exp_len > kOsakaLengthLimit ||
                              h.mod_len > kOsakaLengthLimit))
        return false;
    out.clear();
    if (h.mod_len == 0) return true;
    // From here every length is bounded by the gas already charged (the base and modulus
    // lengths through the multiplication complexity), so allocating them is safe.
    const size_t base_len = static_cast<size_t>(h.base_len);
    const size_t mod_len = static_cast<size_t>(h.mod_len);
    const u128 exp_off = u128{96} + h.base_len;
    const u128 mod_off = exp_off + h.exp_len;

    std::vector<uint8_t> base(base_len, 0), mod(mod_len, 0);
    const auto base_in = slice(input, 96, h.base_len);
    std::copy(base_in.begin(), base_in.end(), base.begin());
    const auto mod_in = slice(input, mod_off, h.mod_len);
    std::copy(mod_in.begin(), mod_in.end(), mod.begin());
    const auto exp_in = slice(input, exp_off, h.exp_len);
    const u128 tail = h.exp_len - exp_in.size();
    const uint64_t exp_tail = tail > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(tail);

    out.resize(mod_len);
    modexp_compute(base, exp_in, exp_tail, mod, out);
    return true;
}

void modexp_compute(std::span<const uint8_t> base_bytes, std::span<const uint8_t> exp,
                    uint64_t exp_zero_tail, std::span<const uint8_t> mod_bytes,
                    std::span<uint8_t> out) {
    const Limbs m = from_bytes(mod_bytes, 0);
    std::fill(out.begin(), out.end(), 0);
    if (m.empty() || (m.size() == 1 && m[0] == 1)) return;  // x mod 0 := 0 (EIP-198); x mod 1 = 0
    const size_t n = m.size();

    const bool exp_zero = std::all_of(exp.begin(), exp.end(), [](uint8_t b) { return b == 0; });
    Limbs result(n, 0);
    if (exp_zero) {
        result[0] = 1;  // x^0 = 1, including 0^0
        write_be(result, out);
        return;
    }
    const Limbs b = from_bytes(base_bytes, 0);
    Limbs base(n, 0);
    if (!b.empty()) mod_reduce(b.data(), b.size(), m, base.data());
    if (std::all_of(base.begin(), base.end(), [](uint64_t x) { return x == 0; })) {
        write_be(result, out);  // 0^e = 0 for e > 0
        return;
    }

    if ((m[0] & 1) != 0) {
        Montgomery ring(m);
        Limbs base_m(n), acc(n), one{1};
        ring.to_mont(base, base_m.data());
        ring.to_mont(one, acc.data());
        power(ring, base_m.data(), exp, exp_zero_tail, acc.data());
        ring.from_mont(acc.data(), result.data());
    } else {
        PlainMod ring(m);
        result[0] = 1;
        power(ring, base.data(), exp, exp_zero_tail, result.data());
    }
    write_be(result, out);
}

}  // namespace pevm::precompiles
