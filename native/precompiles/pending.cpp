// Weak stand-ins for the functions declared in pending.hpp (see there). A strong definition in
// another object file replaces each one at link time.
#include "precompiles/pending.hpp"

#define PEVM_WEAK __attribute__((weak))

namespace pevm::precompiles {

PEVM_WEAK bool point_evaluation(std::span<const uint8_t>, uint8_t*) noexcept { return false; }
PEVM_WEAK bool bls_g1add(std::span<const uint8_t>, std::vector<uint8_t>&) noexcept { return false; }
PEVM_WEAK bool bls_g1msm(std::span<const uint8_t>, std::vector<uint8_t>&) noexcept { return false; }
PEVM_WEAK bool bls_g2add(std::span<const uint8_t>, std::vector<uint8_t>&) noexcept { return false; }
PEVM_WEAK bool bls_g2msm(std::span<const uint8_t>, std::vector<uint8_t>&) noexcept { return false; }
PEVM_WEAK bool bls_pairing(std::span<const uint8_t>, std::vector<uint8_t>&) noexcept { return false; }
PEVM_WEAK bool bls_map_fp_to_g1(std::span<const uint8_t>, std::vector<uint8_t>&) noexcept { return false; }
PEVM_WEAK bool bls_map_fp2_to_g2(std::span<const uint8_t>, std::vector<uint8_t>&) noexcept { return false; }
PEVM_WEAK bool p256_verify(std::span<const uint8_t>) noexcept { return false; }

}  // namespace pevm::precompiles
