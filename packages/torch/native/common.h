// Shared by every translation unit of the addon: the handle table, argument unwrapping and the
// error mapping. Every exported function is written as
//   OP(name) { ...body returning Napi::Value... } END_OP
// so that c10::Error / std::exception never escape into N-API (that would abort the process).
#pragma once
#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace rt {

// ---- dtype / device codes (mirrored in src/native.ts) -------------------------------------
// 0 float32, 1 float64, 2 float16, 3 bfloat16, 4 int32, 5 int64, 6 uint8, 7 bool
at::ScalarType toScalarType(int code);
int fromScalarType(at::ScalarType st);
// device code: -1 cpu, k >= 0 cuda:k
at::Device toDevice(int code);
int fromDevice(const at::Device& d);

// ---- errors ---------------------------------------------------------------------------------
// A validation error raised by the binding itself (not libtorch).
struct ArgError {
  std::string code;
  std::string message;
};

// ---- handle table ---------------------------------------------------------------------------
// A handle is a double holding gen * 2^24 + slot. A stale handle (disposed, slot reused) never
// matches the slot's generation, so use-after-dispose is always detected.
constexpr int64_t kSlotBits = 24;
constexpr int64_t kSlotMask = (int64_t(1) << kSlotBits) - 1;

double put(at::Tensor t);
bool release(double h);
int64_t liveCount();
int64_t liveBytes();
// Record/describe the tensors touched by the current call (for error messages).
void beginCall();
// Unwraps argument i of the current call as a tensor; throws ArgError on anything else.
const at::Tensor& T(const Napi::CallbackInfo& info, size_t i);
// Optional tensor: undefined/null/-1 -> none.
c10::optional<at::Tensor> optT(const Napi::CallbackInfo& info, size_t i);
std::vector<at::Tensor> tensorList(const Napi::CallbackInfo& info, size_t i);
at::Tensor fromHandle(double h, const char* what, int listArg);

// ---- argument helpers -----------------------------------------------------------------------
double num(const Napi::CallbackInfo& info, size_t i, const char* name);
int64_t i64(const Napi::CallbackInfo& info, size_t i, const char* name);
bool flag(const Napi::CallbackInfo& info, size_t i);
std::vector<int64_t> ints(const Napi::CallbackInfo& info, size_t i, const char* name);
bool isNullish(const Napi::CallbackInfo& info, size_t i);
at::Scalar scalarArg(const Napi::CallbackInfo& info, size_t i, const char* name);

Napi::Value wrap(const Napi::CallbackInfo& info, at::Tensor t);
Napi::Value wrapList(const Napi::CallbackInfo& info, const std::vector<at::Tensor>& ts);

[[noreturn]] void fail(const char* code, const std::string& message);
void throwJs(const Napi::CallbackInfo& info, const char* op, const std::string& code, const std::string& msg);
std::string classify(const c10::Error& e);

// GELU with a backward that tolerates gradients laid out unlike the input (see autograd.cpp).
at::Tensor gelu(const at::Tensor& x, bool tanh);

void registerHandles(Napi::Env env, Napi::Object exports);
void registerTensor(Napi::Env env, Napi::Object exports);
void registerOps(Napi::Env env, Napi::Object exports);
void registerNN(Napi::Env env, Napi::Object exports);
void registerOptim(Napi::Env env, Napi::Object exports);

}  // namespace rt

#define OP(name)                                                   \
  static Napi::Value name(const Napi::CallbackInfo& info) {        \
    const char* kOp = #name;                                       \
    rt::beginCall();                                               \
    try {
#define END_OP                                                     \
    }                                                              \
    catch (const rt::ArgError& e) {                                \
      rt::throwJs(info, kOp, e.code, e.message);                   \
    }                                                              \
    catch (const c10::Error& e) {                                  \
      rt::throwJs(info, kOp, rt::classify(e), e.what_without_backtrace()); \
    }                                                              \
    catch (const Napi::Error& e) {                                 \
      rt::throwJs(info, kOp, "invalid_argument", e.Message());     \
    }                                                              \
    catch (const std::bad_alloc&) {                                \
      rt::throwJs(info, kOp, "out_of_memory", "out of memory");    \
    }                                                              \
    catch (const std::exception& e) {                              \
      rt::throwJs(info, kOp, "torch_error", e.what());             \
    }                                                              \
    return info.Env().Undefined();                                 \
  }

#define EXPORT(name) exports.Set(#name, Napi::Function::New(env, name, #name))
