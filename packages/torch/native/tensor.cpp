// Creation, random numbers, data transfer, conversion, autograd, threads and the module entry point.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <dlfcn.h>
#include <torch/version.h>

#include <cmath>
#include <cstring>

#include "common.h"

namespace rt {

// ---- generators (per JS thread, like the handle table) ------------------------------------------
static thread_local std::vector<c10::optional<at::Generator>> generators;

c10::optional<at::Generator> genArg(const Napi::CallbackInfo& info, size_t i) {
  if (isNullish(info, i)) return c10::nullopt;
  int64_t g = i64(info, i, "generator");
  if (g < 0) return c10::nullopt;
  if (g >= static_cast<int64_t>(generators.size()) || !generators[g].has_value())
    fail("invalid_argument", "generator: not a live Generator");
  return generators[g];
}

OP(generatorNew) {
  uint64_t seed = static_cast<uint64_t>(i64(info, 0, "seed"));
  generators.push_back(at::make_generator<at::CPUGeneratorImpl>(seed));
  return Napi::Number::New(info.Env(), static_cast<double>(generators.size() - 1));
} END_OP

OP(generatorSeed) {
  auto g = genArg(info, 0);
  uint64_t seed = static_cast<uint64_t>(i64(info, 1, "seed"));
  std::lock_guard<std::mutex> lock(g->mutex());
  g->set_current_seed(seed);
  return info.Env().Undefined();
} END_OP

OP(generatorFree) {
  int64_t g = i64(info, 0, "generator");
  if (g >= 0 && g < static_cast<int64_t>(generators.size())) generators[g] = c10::nullopt;
  return info.Env().Undefined();
} END_OP

OP(manualSeed) {
  uint64_t seed = static_cast<uint64_t>(i64(info, 0, "seed"));
  {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(seed);
  }
  if (at::hasCUDA()) {
    int n = at::detail::getCUDAHooks().getNumGPUs();
    for (int i = 0; i < n; i++) {
      auto gen = at::globalContext().defaultGenerator(at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(i)));
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_current_seed(seed);
    }
  }
  return info.Env().Undefined();
} END_OP

// ---- creation ----------------------------------------------------------------------------------
static at::TensorOptions opts(const Napi::CallbackInfo& info, size_t dtypeI, size_t devI) {
  return at::TensorOptions().dtype(toScalarType(static_cast<int>(i64(info, dtypeI, "dtype"))))
      .device(toDevice(static_cast<int>(i64(info, devI, "device"))));
}

static void checkShape(const std::vector<int64_t>& s) {
  for (size_t k = 0; k < s.size(); k++)
    if (s[k] < 0) fail("invalid_argument", "shape[" + std::to_string(k) + "]: got " + std::to_string(s[k]) + ", expected a size >= 0");
}

static at::Tensor withGrad(at::Tensor t, const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() > i && flag(info, i)) t.requires_grad_(true);
  return t;
}

// fromData(typedArray, shape, srcDtype, dstDtype, device, requiresGrad)
OP(fromData) {
  Napi::Value v = info[0];
  if (!v.IsTypedArray()) fail("invalid_argument", "data: expected a TypedArray");
  Napi::TypedArray ta = v.As<Napi::TypedArray>();
  auto shape = ints(info, 1, "shape");
  checkShape(shape);
  at::ScalarType src = toScalarType(static_cast<int>(i64(info, 2, "dtype")));
  int64_t numel = 1;
  for (auto s : shape) numel *= s;
  size_t itemsize = c10::elementSize(src);
  size_t have = ta.ByteLength();
  if (static_cast<size_t>(numel) * itemsize != have)
    fail("shape_mismatch", "data: " + std::to_string(have / itemsize) + " elements cannot fill shape of " +
                               std::to_string(numel) + " elements");
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(src));
  if (have) std::memcpy(t.data_ptr(), static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset(), have);
  at::ScalarType dst = toScalarType(static_cast<int>(i64(info, 3, "dtype")));
  at::Device dev = toDevice(static_cast<int>(i64(info, 4, "device")));
  if (dst != src || !dev.is_cpu()) t = t.to(dev, dst);
  return wrap(info, withGrad(t, info, 5));
} END_OP

// full(shape, value, dtype, device, requiresGrad)
OP(full) {
  auto shape = ints(info, 0, "shape");
  checkShape(shape);
  at::Scalar v = scalarArg(info, 1, "value");
  return wrap(info, withGrad(at::full(shape, v, opts(info, 2, 3)), info, 4));
} END_OP

OP(zeros) {
  auto shape = ints(info, 0, "shape");
  checkShape(shape);
  return wrap(info, withGrad(at::zeros(shape, opts(info, 1, 2)), info, 3));
} END_OP

OP(ones) {
  auto shape = ints(info, 0, "shape");
  checkShape(shape);
  return wrap(info, withGrad(at::ones(shape, opts(info, 1, 2)), info, 3));
} END_OP

OP(empty) {
  auto shape = ints(info, 0, "shape");
  checkShape(shape);
  return wrap(info, at::empty(shape, opts(info, 1, 2)));
} END_OP

OP(arange) {
  double start = num(info, 0, "start"), end = num(info, 1, "end"), step = num(info, 2, "step");
  if (step == 0) fail("invalid_argument", "step: got 0, expected a non-zero step");
  return wrap(info, at::arange(start, end, step, opts(info, 3, 4)));
} END_OP

OP(linspace) {
  double start = num(info, 0, "start"), end = num(info, 1, "end");
  int64_t steps = i64(info, 2, "steps");
  if (steps < 0) fail("invalid_argument", "steps: got " + std::to_string(steps) + ", expected >= 0");
  return wrap(info, at::linspace(start, end, steps, opts(info, 3, 4)));
} END_OP

OP(eye) {
  int64_t n = i64(info, 0, "n"), m = i64(info, 1, "m");
  if (n < 0 || m < 0) fail("invalid_argument", "eye: sizes must be >= 0");
  return wrap(info, at::eye(n, m, opts(info, 2, 3)));
} END_OP

// randn(shape, gen, dtype, device, requiresGrad)
static at::Tensor randomOn(const Napi::CallbackInfo& info, bool normal) {
  auto shape = ints(info, 0, "shape");
  checkShape(shape);
  auto gen = genArg(info, 1);
  auto o = opts(info, 2, 3);
  if (gen.has_value() && !o.device().is_cpu()) {
    auto cpu = o.device(at::kCPU);
    at::Tensor t = normal ? at::randn(shape, gen, cpu) : at::rand(shape, gen, cpu);
    return t.to(o.device());
  }
  return normal ? at::randn(shape, gen, o) : at::rand(shape, gen, o);
}

OP(randn) { return wrap(info, withGrad(randomOn(info, true), info, 4)); } END_OP
OP(rand) { return wrap(info, withGrad(randomOn(info, false), info, 4)); } END_OP

// randint(low, high, shape, gen, dtype, device)
OP(randint) {
  int64_t low = i64(info, 0, "low"), high = i64(info, 1, "high");
  if (high <= low) fail("invalid_argument", "high: got " + std::to_string(high) + ", expected > low (" + std::to_string(low) + ")");
  auto shape = ints(info, 2, "shape");
  checkShape(shape);
  auto gen = genArg(info, 3);
  auto o = opts(info, 4, 5);
  at::Tensor t = at::randint(low, high, shape, gen, o.device(at::kCPU));
  if (!o.device().is_cpu()) t = t.to(o.device());
  return wrap(info, t);
} END_OP

// multinomial(probs, n, replacement, gen)
OP(multinomial) {
  const at::Tensor& p = T(info, 0);
  int64_t n = i64(info, 1, "numSamples");
  auto gen = genArg(info, 3);
  return wrap(info, at::multinomial(p, n, flag(info, 2), gen));
} END_OP

// In-place initializers (no grad): initUniform(t, low, high, gen), initNormal(t, mean, std, gen)
OP(initUniform) {
  at::Tensor t = T(info, 0);
  at::NoGradGuard ng;
  t.uniform_(num(info, 1, "low"), num(info, 2, "high"), genArg(info, 3));
  return info.Env().Undefined();
} END_OP

OP(initNormal) {
  at::Tensor t = T(info, 0);
  at::NoGradGuard ng;
  t.normal_(num(info, 1, "mean"), num(info, 2, "std"), genArg(info, 3));
  return info.Env().Undefined();
} END_OP

// ---- metadata and data ---------------------------------------------------------------------------
OP(shape) {
  const at::Tensor& t = T(info, 0);
  auto sizes = t.sizes();
  Napi::Array a = Napi::Array::New(info.Env(), sizes.size());
  for (size_t d = 0; d < sizes.size(); d++) a.Set(static_cast<uint32_t>(d), Napi::Number::New(info.Env(), sizes[d]));
  return a;
} END_OP

OP(dtype) { return Napi::Number::New(info.Env(), fromScalarType(T(info, 0).scalar_type())); } END_OP
OP(device) { return Napi::Number::New(info.Env(), fromDevice(T(info, 0).device())); } END_OP
OP(numel) { return Napi::Number::New(info.Env(), static_cast<double>(T(info, 0).numel())); } END_OP

OP(toBuffer) {
  at::Tensor t = T(info, 0).detach();
  if (!t.device().is_cpu()) t = t.to(at::kCPU);
  t = t.contiguous();
  size_t n = t.numel() * t.element_size();
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(info.Env(), n);
  if (n) std::memcpy(buf.Data(), t.data_ptr(), n);
  return buf;
} END_OP

OP(item) {
  const at::Tensor& t = T(info, 0);
  if (t.numel() != 1)
    fail("shape_mismatch", "item: tensor has " + std::to_string(t.numel()) + " elements, expected exactly 1");
  return Napi::Number::New(info.Env(), t.item<double>());
} END_OP

// to(t, dtype | -1, device | -2, copy)
OP(to) {
  const at::Tensor& t = T(info, 0);
  int64_t dt = i64(info, 1, "dtype");
  int64_t dv = i64(info, 2, "device");
  at::ScalarType st = dt < 0 ? t.scalar_type() : toScalarType(static_cast<int>(dt));
  at::Device d = dv == -2 ? t.device() : toDevice(static_cast<int>(dv));
  return wrap(info, t.to(d, st, false, flag(info, 3)));
} END_OP

OP(clone) { return wrap(info, T(info, 0).clone()); } END_OP
OP(contiguous) { return wrap(info, T(info, 0).contiguous()); } END_OP
OP(detach) { return wrap(info, T(info, 0).detach()); } END_OP
OP(alias) { return wrap(info, T(info, 0)); } END_OP

// copy_(dst, src) without recording grad (used by loadStateDict / EMA / optimizers)
OP(copyInto) {
  at::Tensor dst = T(info, 0);
  const at::Tensor& src = T(info, 1);
  if (dst.sizes() != src.sizes())
    fail("shape_mismatch", "copyInto: destination shape " + c10::str(dst.sizes()) + " != source shape " + c10::str(src.sizes()));
  at::NoGradGuard ng;
  dst.copy_(src);
  return info.Env().Undefined();
} END_OP

// ---- autograd ------------------------------------------------------------------------------------
OP(requiresGrad) { return Napi::Boolean::New(info.Env(), T(info, 0).requires_grad()); } END_OP
OP(setRequiresGrad) {
  at::Tensor t = T(info, 0);
  t.requires_grad_(flag(info, 1));
  return info.Env().Undefined();
} END_OP
OP(isLeaf) { return Napi::Boolean::New(info.Env(), T(info, 0).is_leaf()); } END_OP

// backward(t, grad | null, retainGraph)
OP(backward) {
  const at::Tensor& t = T(info, 0);
  auto g = optT(info, 1);
  if (!t.requires_grad())
    fail("autograd_error", "backward: tensor does not require grad and has no grad_fn");
  if (!g.has_value() && t.numel() != 1)
    fail("shape_mismatch", "backward: grad can be implicitly created only for scalar outputs, got shape " + c10::str(t.sizes()));
  bool retain = flag(info, 2);
  t.backward(g.has_value() ? *g : at::Tensor(), retain, false);
  return info.Env().Undefined();
} END_OP

OP(grad) {
  const at::Tensor& t = T(info, 0);
  const at::Tensor& g = t.grad();
  if (!g.defined()) return info.Env().Null();
  return wrap(info, g);
} END_OP

OP(setGrad) {
  at::Tensor t = T(info, 0);
  auto g = optT(info, 1);
  t.mutable_grad() = g.has_value() ? *g : at::Tensor();
  return info.Env().Undefined();
} END_OP

OP(zeroGrad) {
  auto ts = tensorList(info, 0);
  for (auto& t : ts) t.mutable_grad() = at::Tensor();
  return info.Env().Undefined();
} END_OP

OP(setGradEnabled) {
  bool prev = at::GradMode::is_enabled();
  at::GradMode::set_enabled(flag(info, 0));
  return Napi::Boolean::New(info.Env(), prev);
} END_OP

OP(isGradEnabled) { return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled()); } END_OP

// ---- threads and devices ------------------------------------------------------------------------
using BlasSet = void (*)(int);
using BlasGet = int (*)();

OP(setNumThreads) {
  int64_t n = i64(info, 0, "threads");
  if (n < 1) fail("invalid_argument", "threads: got " + std::to_string(n) + ", expected >= 1");
  at::set_num_threads(static_cast<int>(n));
  return info.Env().Undefined();
} END_OP

OP(getNumThreads) { return Napi::Number::New(info.Env(), at::get_num_threads()); } END_OP

OP(setBlasThreads) {
  int64_t n = i64(info, 0, "threads");
  if (n < 1) fail("invalid_argument", "threads: got " + std::to_string(n) + ", expected >= 1");
  auto fn = reinterpret_cast<BlasSet>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (fn == nullptr) return Napi::Boolean::New(info.Env(), false);
  fn(static_cast<int>(n));
  return Napi::Boolean::New(info.Env(), true);
} END_OP

OP(getBlasThreads) {
  auto fn = reinterpret_cast<BlasGet>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  if (fn == nullptr) return Napi::Number::New(info.Env(), -1);
  return Napi::Number::New(info.Env(), fn());
} END_OP

OP(cudaAvailable) { return Napi::Boolean::New(info.Env(), at::hasCUDA()); } END_OP
OP(cudaDeviceCount) {
  return Napi::Number::New(info.Env(), at::hasCUDA() ? at::detail::getCUDAHooks().getNumGPUs() : 0);
} END_OP
OP(torchVersion) {
  return Napi::String::New(info.Env(), std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) +
                                           "." + std::to_string(TORCH_VERSION_PATCH));
} END_OP

void registerTensor(Napi::Env env, Napi::Object exports) {
  EXPORT(generatorNew); EXPORT(generatorSeed); EXPORT(generatorFree); EXPORT(manualSeed); EXPORT(fromData);
  EXPORT(full); EXPORT(zeros); EXPORT(ones); EXPORT(empty); EXPORT(arange); EXPORT(linspace); EXPORT(eye);
  EXPORT(randn); EXPORT(rand); EXPORT(randint); EXPORT(multinomial); EXPORT(initUniform); EXPORT(initNormal);
  EXPORT(shape); EXPORT(dtype); EXPORT(device); EXPORT(numel); EXPORT(toBuffer); EXPORT(item); EXPORT(to);
  EXPORT(clone); EXPORT(contiguous); EXPORT(detach); EXPORT(alias); EXPORT(copyInto); EXPORT(requiresGrad);
  EXPORT(setRequiresGrad); EXPORT(isLeaf); EXPORT(backward); EXPORT(grad); EXPORT(setGrad); EXPORT(zeroGrad);
  EXPORT(setGradEnabled); EXPORT(isGradEnabled); EXPORT(setNumThreads); EXPORT(getNumThreads);
  EXPORT(setBlasThreads); EXPORT(getBlasThreads); EXPORT(cudaAvailable); EXPORT(cudaDeviceCount);
  EXPORT(torchVersion);
}

}  // namespace rt

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // Threads: libtorch intra-op 1 (OpenBLAS does the parallel work; both at N oversubscribe).
  at::set_num_threads(1);
  rt::registerHandles(env, exports);
  rt::registerTensor(env, exports);
  rt::registerOps(env, exports);
  rt::registerNN(env, exports);
  rt::registerOptim(env, exports);
  return exports;
}

NODE_API_MODULE(robofm_torch, Init)
