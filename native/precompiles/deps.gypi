# blst and c-kzg as static libraries, compiled from the C sources that the `c-kzg` npm package
# ships (pinned in package.json), for the KZG point evaluation (EIP-4844) and the BLS12-381
# precompiles (EIP-2537). Included from binding.gyp; pevm_core depends on both targets.
# Paths that start with <( are relative to binding.gyp (the project root), plain ones to this file.
{
  "variables": {
    # c-kzg is an optionalDependency (its own install step compiles an addon we do not use and
    # fails without a compiler, which must not fail installing our prebuilt package).
    "ckzg_dir": "<!(node scripts/native-deps.js dir c-kzg)"
  },
  "targets": [
    {
      # blst: the portable C build (server.c) plus its x86-64/aarch64 assembly (assembly.S picks
      # the flavour for the target). __BLST_PORTABLE__ selects the ADX code at run time via CPUID
      # instead of requiring it at build time, so one binary runs on every x86-64.
      "target_name": "blst",
      "type": "static_library",
      "sources": ["<(ckzg_dir)/deps/blst/src/server.c", "<(ckzg_dir)/deps/blst/build/assembly.S"],
      "defines": ["__BLST_PORTABLE__"],
      "cflags": ["-fno-builtin", "-Wno-unused-function", "-Wno-unused-parameter"],
      "direct_dependent_settings": { "include_dirs": ["<(ckzg_dir)/deps/blst/bindings"] }
    },
    {
      # c-kzg-4844 (single translation unit ckzg.c) plus the embedded mainnet trusted setup,
      # generated at build time from the package's trusted_setup.txt (nothing is read at run time).
      "target_name": "ckzg",
      "type": "static_library",
      "dependencies": ["blst"],
      "export_dependent_settings": ["blst"],
      "sources": ["<(ckzg_dir)/deps/c-kzg/ckzg.c"],
      "include_dirs": ["<(ckzg_dir)/deps/blst/bindings", "<(ckzg_dir)/deps/c-kzg"],
      "cflags": ["-Wno-unused-function", "-Wno-unused-parameter", "-Wno-sign-compare", "-Wno-missing-braces"],
      "actions": [
        {
          "action_name": "embed_trusted_setup",
          "inputs": ["embed-trusted-setup.js", "<(ckzg_dir)/deps/c-kzg/trusted_setup.txt"],
          "outputs": ["<(INTERMEDIATE_DIR)/kzg_trusted_setup.c"],
          "action": ["node", "native/precompiles/embed-trusted-setup.js", "<(ckzg_dir)/deps/c-kzg/trusted_setup.txt", "<@(_outputs)"],
          "process_outputs_as_sources": 1
        }
      ],
      "direct_dependent_settings": { "include_dirs": ["<(ckzg_dir)/deps/c-kzg"] }
    }
  ]
}
