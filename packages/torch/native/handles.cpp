// The handle table (per JS thread), the deferred-free queue, argument unwrapping and the mapping of
// libtorch exceptions to JS TorchErrors.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "common.h"

namespace rt {

// ---- codes -----------------------------------------------------------------------------------
at::ScalarType toScalarType(int code) {
  switch (code) {
    case 0: return at::kFloat;
    case 1: return at::kDouble;
    case 2: return at::kHalf;
    case 3: return at::kBFloat16;
    case 4: return at::kInt;
    case 5: return at::kLong;
    case 6: return at::kByte;
    case 7: return at::kBool;
  }
  fail("invalid_argument", "dtype code " + std::to_string(code) + " is not one of 0..7");
}

int fromScalarType(at::ScalarType st) {
  switch (st) {
    case at::kFloat: return 0;
    case at::kDouble: return 1;
    case at::kHalf: return 2;
    case at::kBFloat16: return 3;
    case at::kInt: return 4;
    case at::kLong: return 5;
    case at::kByte: return 6;
    case at::kBool: return 7;
    default: return -1;
  }
}

at::Device toDevice(int code) {
  if (code < 0) return at::Device(at::kCPU);
  if (!at::hasCUDA()) fail("device_unavailable", "device 'cuda' requested but this libtorch has no CUDA device");
  return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(code));
}

int fromDevice(const at::Device& d) {
  if (d.is_cpu()) return -1;
  if (d.is_cuda()) return d.has_index() ? d.index() : 0;
  return -2;
}

// ---- handle table ------------------------------------------------------------------------------
struct Slot {
  at::Tensor t;
  uint32_t gen = 0;
  int64_t bytes = 0;
  bool used = false;
};

// All mutable state is per JS thread (main thread and each worker has its own handle table): handles
// never cross threads, and nothing here is shared between isolates.
struct State {
  std::vector<Slot> slots;
  std::vector<int32_t> freeList;
  int64_t live = 0;
  int64_t bytesLive = 0;
  int64_t pendingExternal = 0;
  napi_env gEnv = nullptr;
  double* freeQueue = nullptr;
  size_t freeQueueCap = 0;
  Napi::Reference<Napi::ArrayBuffer>* freeQueueRef = nullptr;  // never deleted (outlives the env safely)
  double touched[8];
  int touchedArg[8];
  int nTouched = 0;
  Napi::FunctionReference* errorCtor = nullptr;  // never deleted
};
static thread_local State* tlsState = nullptr;
static inline State& S() {
  State* st = tlsState;
  if (__builtin_expect(st == nullptr, 0)) st = tlsState = new State();
  return *st;
}

static void flushExternal(bool force) {
  if (S().gEnv == nullptr) return;
  if (force || S().pendingExternal > (int64_t(1) << 22) || S().pendingExternal < -(int64_t(1) << 22)) {
    int64_t result = 0;
    napi_adjust_external_memory(S().gEnv, S().pendingExternal, &result);
    S().pendingExternal = 0;
  }
}

static int64_t ownBytes(const at::Tensor& t) {
  if (!t.defined() || !t.has_storage() || !t.device().is_cpu()) return 0;
  const auto& st = t.storage();
  if (st.use_count() != 1) return 0;  // a view of storage someone else already counts
  return static_cast<int64_t>(st.nbytes());
}

double put(at::Tensor t) {
  int32_t slot;
  if (!S().freeList.empty()) {
    slot = S().freeList.back();
    S().freeList.pop_back();
  } else {
    if (S().slots.size() >= static_cast<size_t>(kSlotMask)) fail("out_of_memory", "tensor handle table is full");
    slot = static_cast<int32_t>(S().slots.size());
    S().slots.emplace_back();
  }
  Slot& s = S().slots[slot];
  s.gen = (s.gen + 1) & 0x0FFFFFFF;
  s.bytes = ownBytes(t);
  s.t = std::move(t);
  s.used = true;
  S().live++;
  S().bytesLive += s.bytes;
  S().pendingExternal += s.bytes;
  if (s.bytes) flushExternal(false);
  return static_cast<double>((static_cast<int64_t>(s.gen) << kSlotBits) | slot);
}

static Slot* lookup(double h) {
  if (!(h >= 0) || h != std::floor(h) || h > 9007199254740991.0) return nullptr;
  int64_t v = static_cast<int64_t>(h);
  int64_t slot = v & kSlotMask;
  uint32_t gen = static_cast<uint32_t>(v >> kSlotBits);
  if (slot >= static_cast<int64_t>(S().slots.size())) return nullptr;
  Slot& s = S().slots[slot];
  if (!s.used || s.gen != gen) return nullptr;
  return &s;
}

bool release(double h) {
  Slot* s = lookup(h);
  if (s == nullptr) return false;
  s->t = at::Tensor();
  s->used = false;
  S().live--;
  S().bytesLive -= s->bytes;
  S().pendingExternal -= s->bytes;
  if (s->bytes) flushExternal(false);
  s->bytes = 0;
  S().freeList.push_back(static_cast<int32_t>(&*s - &S().slots[0]));
  return true;
}

int64_t liveCount() { return S().live; }
int64_t liveBytes() { return S().bytesLive; }

// ---- tensors touched by the current call (for error messages) -----------------------------------
// Deferred frees: JS writes disposed handles into a shared Float64Array (slot 0 = count) and the
// next native call releases them, so dispose() costs no N-API call.

static inline void drainFreeQueue() {
  if (S().freeQueue == nullptr || S().freeQueue[0] <= 0) return;
  size_t n = static_cast<size_t>(S().freeQueue[0]);
  if (n >= S().freeQueueCap) n = S().freeQueueCap - 1;
  for (size_t i = 1; i <= n; i++) release(S().freeQueue[i]);
  S().freeQueue[0] = 0;
}

void beginCall() {
  S().nTouched = 0;
  drainFreeQueue();
}

static std::string describeValue(const Napi::Value& v) {
  if (v.IsUndefined()) return "undefined";
  if (v.IsNull()) return "null";
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (d == -1) return "a disposed tensor";
    return "number " + std::to_string(d);
  }
  if (v.IsString()) return "string";
  if (v.IsArray()) return "array";
  if (v.IsObject()) return "object";
  return "value";
}

at::Tensor fromHandle(double h, const char* what, int listArg) {
  Slot* s = lookup(h);
  if (s == nullptr) {
    if (h == -1) fail("tensor_disposed", std::string(what) + ": tensor was disposed");
    fail("tensor_disposed", std::string(what) + ": not a live tensor handle (disposed or foreign)");
  }
  if (S().nTouched < 8) {
    S().touchedArg[S().nTouched] = listArg;
    S().touched[S().nTouched++] = h;
  }
  return s->t;
}

const at::Tensor& T(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = info[i];
  double h;
  if (napi_get_value_double(info.Env(), v, &h) != napi_ok)
    fail("invalid_argument", "argument " + std::to_string(i) + ": expected a Tensor, got " + describeValue(v));
  Slot* s = lookup(h);
  if (s == nullptr) {
    if (h == -1) fail("tensor_disposed", "argument " + std::to_string(i) + ": tensor was disposed");
    fail("tensor_disposed", "argument " + std::to_string(i) + ": not a live tensor (disposed or invalid handle)");
  }
  if (S().nTouched < 8) {
    S().touchedArg[S().nTouched] = static_cast<int>(i) * 1000;
    S().touched[S().nTouched++] = h;
  }
  return s->t;
}

bool isNullish(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = info[i];
  return v.IsUndefined() || v.IsNull();
}

c10::optional<at::Tensor> optT(const Napi::CallbackInfo& info, size_t i) {
  if (isNullish(info, i)) return c10::nullopt;
  return T(info, i);
}

std::vector<at::Tensor> tensorList(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = info[i];
  if (!v.IsArray()) fail("invalid_argument", "argument " + std::to_string(i) + ": expected an array of Tensors");
  Napi::Array a = v.As<Napi::Array>();
  uint32_t n = a.Length();
  std::vector<at::Tensor> out;
  out.reserve(n);
  for (uint32_t k = 0; k < n; k++) {
    Napi::Value e = a.Get(k);
    if (!e.IsNumber())
      fail("invalid_argument", "argument " + std::to_string(i) + "[" + std::to_string(k) + "]: expected a Tensor, got " + describeValue(e));
    out.push_back(fromHandle(e.As<Napi::Number>().DoubleValue(),
                             ("argument " + std::to_string(i) + "[" + std::to_string(k) + "]").c_str(),
                             static_cast<int>(i) * 1000 + static_cast<int>(k)));
  }
  return out;
}

double num(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = info[i];
  double d;
  if (napi_get_value_double(info.Env(), v, &d) != napi_ok)
    fail("invalid_argument", std::string(name) + ": expected a number, got " + describeValue(v));
  return d;
}

int64_t i64(const Napi::CallbackInfo& info, size_t i, const char* name) {
  double d = num(info, i, name);
  if (d != std::floor(d) || std::fabs(d) > 9007199254740991.0)
    fail("invalid_argument", std::string(name) + ": expected an integer, got " + std::to_string(d));
  return static_cast<int64_t>(d);
}

bool flag(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = info[i];
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value();
  if (v.IsNumber()) return v.As<Napi::Number>().DoubleValue() != 0;
  return false;
}

std::vector<int64_t> ints(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = info[i];
  std::vector<int64_t> out;
  if (v.IsNumber()) {
    out.push_back(i64(info, i, name));
    return out;
  }
  if (!v.IsArray()) fail("invalid_argument", std::string(name) + ": expected an array of integers, got " + describeValue(v));
  Napi::Array a = v.As<Napi::Array>();
  uint32_t n = a.Length();
  out.reserve(n);
  for (uint32_t k = 0; k < n; k++) {
    Napi::Value e = a.Get(k);
    double d = e.IsNumber() ? e.As<Napi::Number>().DoubleValue() : NAN;
    if (!(d == std::floor(d)))
      fail("invalid_argument", std::string(name) + "[" + std::to_string(k) + "]: expected an integer, got " + describeValue(e));
    out.push_back(static_cast<int64_t>(d));
  }
  return out;
}

at::Scalar scalarArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = info[i];
  if (v.IsBoolean()) return at::Scalar(v.As<Napi::Boolean>().Value());
  double d = num(info, i, name);
  return at::Scalar(d);
}

Napi::Value wrap(const Napi::CallbackInfo& info, at::Tensor t) {
  return Napi::Number::New(info.Env(), put(std::move(t)));
}

Napi::Value wrapList(const Napi::CallbackInfo& info, const std::vector<at::Tensor>& ts) {
  Napi::Array a = Napi::Array::New(info.Env(), ts.size());
  for (size_t k = 0; k < ts.size(); k++) a.Set(static_cast<uint32_t>(k), Napi::Number::New(info.Env(), put(ts[k])));
  return a;
}

void fail(const char* code, const std::string& message) { throw ArgError{code, message}; }

std::string classify(const c10::Error& e) {
  if (dynamic_cast<const c10::IndexError*>(&e)) return "index_out_of_range";
  if (dynamic_cast<const c10::TypeError*>(&e)) return "dtype_mismatch";
  if (dynamic_cast<const c10::NotImplementedError*>(&e)) return "not_implemented";
  if (dynamic_cast<const c10::OutOfMemoryError*>(&e)) return "out_of_memory";
  std::string m = e.what_without_backtrace();
  auto has = [&](const char* s) { return m.find(s) != std::string::npos; };
  if (has("out of range") || has("out of bounds") || has("index ")) return "index_out_of_range";
  if (has("scalar type") || has("dtype") || has("Expected object of scalar type") || has("not implemented for"))
    return "dtype_mismatch";
  if (has("shape") || has("size") || has("dimension") || has("dims") || has("Sizes")) return "shape_mismatch";
  if (has("does not require grad") || has("grad")) return "autograd_error";
  return "torch_error";
}


void throwJs(const Napi::CallbackInfo& info, const char* op, const std::string& code, const std::string& msg) {
  Napi::Env env = info.Env();
  if (env.IsExceptionPending()) env.GetAndClearPendingException();
  // Describe the input tensors this call unwrapped before it failed.
  Napi::Array inputs = Napi::Array::New(env);
  int order[8];
  for (int k = 0; k < S().nTouched; k++) order[k] = k;
  std::sort(order, order + S().nTouched, [](int a, int b) { return S().touchedArg[a] < S().touchedArg[b]; });
  for (int oi = 0; oi < S().nTouched; oi++) {
    int k = order[oi];
    Slot* s = lookup(S().touched[k]);
    if (s == nullptr || !s->t.defined()) continue;
    Napi::Object o = Napi::Object::New(env);
    Napi::Array shape = Napi::Array::New(env);
    auto sizes = s->t.sizes();
    for (size_t d = 0; d < sizes.size(); d++) shape.Set(static_cast<uint32_t>(d), Napi::Number::New(env, sizes[d]));
    o.Set("shape", shape);
    o.Set("dtype", Napi::Number::New(env, fromScalarType(s->t.scalar_type())));
    inputs.Set(inputs.Length(), o);
  }
  // First line only: libtorch messages sometimes carry extra context lines.
  std::string clean = msg;
  if (S().errorCtor == nullptr) {
    Napi::Error err = Napi::Error::New(env, std::string(op) + ": " + clean);
    err.Set("code", Napi::String::New(env, code));
    err.ThrowAsJavaScriptException();
    return;
  }
  Napi::Value err = S().errorCtor->New({Napi::String::New(env, code), Napi::String::New(env, op),
                                   Napi::String::New(env, clean), inputs});
  napi_throw(env, err);
}

// ---- lifetime ----------------------------------------------------------------------------------
// Frees this thread's tensors when its JS environment goes away (worker exit).
static void cleanupState(void* arg) {
  State* st = static_cast<State*>(arg);
  if (tlsState == st) tlsState = nullptr;
  st->slots.clear();
  delete st->errorCtor;
  delete st->freeQueueRef;
  delete st;
}

OP(init) {
  if (S().gEnv == nullptr) napi_add_env_cleanup_hook(info.Env(), cleanupState, &S());
  S().gEnv = info.Env();
  if (info[0].IsFunction() && S().errorCtor == nullptr)
    S().errorCtor = new Napi::FunctionReference(Napi::Persistent(info[0].As<Napi::Function>()));
  if (info[1].IsArrayBuffer()) {
    Napi::ArrayBuffer ab = info[1].As<Napi::ArrayBuffer>();
    S().freeQueueRef = new Napi::Reference<Napi::ArrayBuffer>(Napi::Persistent(ab));
    S().freeQueue = static_cast<double*>(ab.Data());
    S().freeQueueCap = ab.ByteLength() / sizeof(double);
    S().freeQueue[0] = 0;
  }
  return info.Env().Undefined();
} END_OP

OP(dispose) {
  double h;
  bool ok = napi_get_value_double(info.Env(), info[0], &h) == napi_ok && release(h);
  return Napi::Boolean::New(info.Env(), ok);
} END_OP

OP(disposeMany) {
  Napi::Array a = info[0].As<Napi::Array>();
  uint32_t n = a.Length();
  for (uint32_t k = 0; k < n; k++) {
    Napi::Value v = a.Get(k);
    if (v.IsNumber()) release(v.As<Napi::Number>().DoubleValue());
  }
  return info.Env().Undefined();
} END_OP

OP(isLive) {
  Napi::Value v = info[0];
  return Napi::Boolean::New(info.Env(), v.IsNumber() && lookup(v.As<Napi::Number>().DoubleValue()) != nullptr);
} END_OP

OP(flush) { return info.Env().Undefined(); } END_OP

OP(liveTensors) { return Napi::Number::New(info.Env(), static_cast<double>(liveCount())); } END_OP
OP(liveBytesNative) { return Napi::Number::New(info.Env(), static_cast<double>(liveBytes())); } END_OP

void registerHandles(Napi::Env env, Napi::Object exports) {
  EXPORT(init); EXPORT(flush); EXPORT(dispose); EXPORT(disposeMany); EXPORT(isLive); EXPORT(liveTensors);
  EXPORT(liveBytesNative);
}

}  // namespace rt
