// Optimizer steps, gradient clipping and EMA run as one native call over the parameter list
// (the same per-tensor arithmetic as torch.optim's single-tensor code paths, without per-op
// crossings). In-place helpers for custom optimizers.
#include <cmath>

#include "common.h"

namespace rt {

// adamwStep(params[], expAvg[], expAvgSq[], step, lr, beta1, beta2, eps, weightDecay)
// `step` is the step number after this update (1-based), shared by all params.
OP(adamwStep) {
  auto params = tensorList(info, 0);
  auto m = tensorList(info, 1);
  auto v = tensorList(info, 2);
  if (m.size() != params.size() || v.size() != params.size())
    fail("invalid_argument", "adamwStep: state lists must match the parameter list");
  double step = num(info, 3, "step"), lr = num(info, 4, "lr"), b1 = num(info, 5, "beta1"), b2 = num(info, 6, "beta2");
  double eps = num(info, 7, "eps"), wd = num(info, 8, "weightDecay");
  at::NoGradGuard ng;
  double bc1 = 1 - std::pow(b1, step);
  double bc2 = 1 - std::pow(b2, step);
  double stepSize = lr / bc1;
  double bc2Sqrt = std::sqrt(bc2);
  for (size_t i = 0; i < params.size(); i++) {
    at::Tensor& p = params[i];
    const at::Tensor& g = p.grad();
    if (!g.defined()) continue;
    p.mul_(1 - lr * wd);
    m[i].mul_(b1).add_(g, 1 - b1);
    v[i].mul_(b2).addcmul_(g, g, 1 - b2);
    at::Tensor denom = (v[i].sqrt() / bc2Sqrt).add_(eps);
    p.addcdiv_(m[i], denom, -stepSize);
  }
  return info.Env().Undefined();
} END_OP

// sgdStep(params[], buffers[] (same length, ignored when momentum == 0), lr, momentum, dampening,
//         weightDecay, nesterov, initialized)
OP(sgdStep) {
  auto params = tensorList(info, 0);
  double lr = num(info, 2, "lr"), mom = num(info, 3, "momentum"), damp = num(info, 4, "dampening");
  double wd = num(info, 5, "weightDecay");
  bool nesterov = flag(info, 6), initialized = flag(info, 7);
  std::vector<at::Tensor> bufs;
  if (mom != 0) {
    bufs = tensorList(info, 1);
    if (bufs.size() != params.size()) fail("invalid_argument", "sgdStep: buffers must match the parameter list");
  }
  at::NoGradGuard ng;
  for (size_t i = 0; i < params.size(); i++) {
    at::Tensor& p = params[i];
    at::Tensor d = p.grad();
    if (!d.defined()) continue;
    if (wd != 0) d = d.add(p, wd);
    if (mom != 0) {
      at::Tensor& buf = bufs[i];
      if (!initialized)
        buf.copy_(d);
      else
        buf.mul_(mom).add_(d, 1 - damp);
      d = nesterov ? d.add(buf, mom) : buf;
    }
    p.add_(d, -lr);
  }
  return info.Env().Undefined();
} END_OP

// clipGradNorm(params[], maxNorm, normType) -> total norm (before clipping)
OP(clipGradNorm) {
  auto params = tensorList(info, 0);
  double maxNorm = num(info, 1, "maxNorm"), normType = num(info, 2, "normType");
  at::NoGradGuard ng;
  std::vector<at::Tensor> grads;
  for (auto& p : params)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return Napi::Number::New(info.Env(), 0.0);
  at::Tensor total;
  if (std::isinf(normType)) {
    std::vector<at::Tensor> norms;
    for (auto& g : grads) norms.push_back(g.detach().abs().max());
    total = norms.size() == 1 ? norms[0] : at::stack(norms).max();
  } else {
    std::vector<at::Tensor> norms;
    for (auto& g : grads) norms.push_back(at::norm(g.detach(), normType));
    total = at::norm(at::stack(norms), normType);
  }
  at::Tensor coef = at::clamp(maxNorm / (total + 1e-6), c10::nullopt, 1.0);
  for (auto& g : grads) g.detach().mul_(coef.to(g.device()));
  return Napi::Number::New(info.Env(), total.item<double>());
} END_OP

// emaUpdate(ema[], params[], decay): ema = decay * ema + (1 - decay) * param
OP(emaUpdate) {
  auto ema = tensorList(info, 0);
  auto params = tensorList(info, 1);
  if (ema.size() != params.size()) fail("invalid_argument", "emaUpdate: lists differ in length");
  double decay = num(info, 2, "decay");
  at::NoGradGuard ng;
  for (size_t i = 0; i < ema.size(); i++) {
    if (ema[i].sizes() != params[i].sizes())
      fail("shape_mismatch", "emaUpdate: entry " + std::to_string(i) + " shape " + c10::str(ema[i].sizes()) + " != " +
                                 c10::str(params[i].sizes()));
    if (at::isFloatingType(ema[i].scalar_type()))
      ema[i].mul_(decay).add_(params[i].detach(), 1 - decay);
    else
      ema[i].copy_(params[i]);
  }
  return info.Env().Undefined();
} END_OP

// copyMany(dst[], src[]) without grad
OP(copyMany) {
  auto dst = tensorList(info, 0);
  auto src = tensorList(info, 1);
  if (dst.size() != src.size()) fail("invalid_argument", "copyMany: lists differ in length");
  at::NoGradGuard ng;
  for (size_t i = 0; i < dst.size(); i++) {
    if (dst[i].sizes() != src[i].sizes())
      fail("shape_mismatch", "copyMany: entry " + std::to_string(i) + " shape " + c10::str(dst[i].sizes()) + " != " +
                                 c10::str(src[i].sizes()));
    dst[i].copy_(src[i]);
  }
  return info.Env().Undefined();
} END_OP

// inplace(code, dst, other (tensor handle or number), alpha): 0 add_, 1 mul_, 2 fill_, 3 zero_, 4 sub_
OP(inplace) {
  int64_t code = i64(info, 0, "op");
  at::Tensor dst = T(info, 1);
  at::NoGradGuard ng;
  double alpha = isNullish(info, 3) ? 1.0 : num(info, 3, "alpha");
  bool scalar = info[2].IsNumber() && code != 3 && (code == 2 || info[4].IsBoolean() && info[4].As<Napi::Boolean>().Value());
  switch (code) {
    case 0:
      if (scalar) dst.add_(scalarArg(info, 2, "other"), alpha); else dst.add_(T(info, 2), alpha);
      break;
    case 1:
      if (scalar) dst.mul_(scalarArg(info, 2, "other")); else dst.mul_(T(info, 2));
      break;
    case 2: dst.fill_(scalarArg(info, 2, "value")); break;
    case 3: dst.zero_(); break;
    case 4:
      if (scalar) dst.sub_(scalarArg(info, 2, "other"), alpha); else dst.sub_(T(info, 2), alpha);
      break;
    default: fail("invalid_argument", "inplace op code unknown");
  }
  return info.Env().Undefined();
} END_OP

void registerOptim(Napi::Env env, Napi::Object exports) {
  EXPORT(adamwStep); EXPORT(sgdStep); EXPORT(clipGradNorm); EXPORT(emaUpdate); EXPORT(copyMany); EXPORT(inplace);
}

}  // namespace rt
