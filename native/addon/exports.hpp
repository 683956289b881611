// One registration function per native capability; addon.cpp calls them all at load time.
#pragma once

#include <napi.h>

namespace pevm::addon {

void registerKeccak(Napi::Env env, Napi::Object exports);
void registerState(Napi::Env env, Napi::Object exports);
void registerPrecompiles(Napi::Env env, Napi::Object exports);
void registerStm(Napi::Env env, Napi::Object exports);
void registerBlock(Napi::Env env, Napi::Object exports);

}  // namespace pevm::addon
