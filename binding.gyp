{
  "includes": ["native/precompiles/deps.gypi"],
  "variables": {
    # PEVM_SANITIZE=asan|tsan builds an instrumented addon (scripts/sanitize.sh); empty = release.
    "pevm_sanitize%": "<!(node -p \"process.env.PEVM_SANITIZE || ''\")",
    "secp256k1_dir": "<!(node scripts/native-deps.js dir libsecp256k1)"
  },
  "target_defaults": {
    "cflags!": ["-fno-exceptions", "-O2", "-O0"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++1y", "-O2", "-O0"],
    "cflags": ["-O3", "-fPIC", "-fvisibility=hidden", "-Wall", "-Wextra"],
    "cflags_cc": ["-std=c++20", "-fexceptions", "-Wno-unused-parameter"],
    "include_dirs": ["native"],
    "conditions": [
      ["pevm_sanitize=='asan'", {
        "cflags": ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-fno-sanitize-recover=undefined", "-g"],
        "ldflags": ["-fsanitize=address,undefined"]
      }],
      ["pevm_sanitize=='tsan'", {
        "cflags": ["-fsanitize=thread", "-fno-omit-frame-pointer", "-g"],
        "ldflags": ["-fsanitize=thread"]
      }]
    ]
  },
  "targets": [
    {
      # libsecp256k1 0.2.0 from Debian's source package (ecrecover and sender recovery): its
      # portable C field arithmetic (__int128), which is faster here than its x86-64 assembly, and
      # its precomputed tables (window 15 for verification, 4 bits for signing, which we never do).
      "target_name": "secp256k1",
      "type": "static_library",
      "sources": [
        "<(secp256k1_dir)/src/secp256k1.c",
        "<(secp256k1_dir)/src/precomputed_ecmult.c",
        "<(secp256k1_dir)/src/precomputed_ecmult_gen.c"
      ],
      "include_dirs": ["<(secp256k1_dir)/include"],
      "cflags": ["-Wno-unused-function", "-Wno-unused-parameter"],
      # SECP256K1_API empty: its functions stay hidden inside the addon like ours.
      "defines": ["ECMULT_GEN_PREC_BITS=4", "ECMULT_WINDOW_SIZE=15", "ENABLE_MODULE_RECOVERY=1", "SECP256K1_API="],
      "direct_dependent_settings": { "include_dirs": ["<(secp256k1_dir)/include"] }
    },
    {
      # Everything native that does not touch Node: crypto, the interpreter, precompiles, state,
      # Block-STM. Linked into the addon and, in part, into the EVMC VM library.
      "target_name": "pevm_core",
      "type": "static_library",
      "sources": ["<!@(node scripts/gyp-sources.js native/crypto native/evm native/precompiles native/state native/stm)"],
      "dependencies": ["secp256k1", "blst", "ckzg"],
      "export_dependent_settings": ["secp256k1"]
    },
    {
      "target_name": "parallel_evm",
      "sources": ["<!@(node scripts/gyp-sources.js native/addon)"],
      "dependencies": ["pevm_core", "secp256k1"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"]
    },
    {
      # Our interpreter as an EVMC VM shared library (libparallel_evm.so, entry point
      # evmc_create_parallel_evm) that EVMC tools can load; `parallel-evm vm-path` prints its path.
      "target_name": "evmc_vm",
      "product_name": "parallel_evm",
      "type": "shared_library",
      "sources": ["<!@(node scripts/gyp-sources.js native/crypto native/evm)"]
    }
  ]
}
