// Neural-network functionals: convolution, pooling, interpolation, normalization, activations with
// parameters, dropout, embedding, losses and scaled-dot-product attention (built from primitives:
// libtorch 1.13 has no fused kernel, and the same code runs on 2.x).
#include <cmath>
#include <limits>

#include "common.h"

namespace rt {

static int64_t reductionArg(const Napi::CallbackInfo& info, size_t i) {
  int64_t r = i64(info, i, "reduction");
  if (r < 0 || r > 2) fail("invalid_argument", "reduction: expected 0 (none), 1 (mean) or 2 (sum)");
  return r;
}

// conv(ndim, x, w, b | null, stride[], padding[], dilation[], groups)
OP(conv) {
  int64_t nd = i64(info, 0, "ndim");
  kOp = nd == 1 ? "conv1d" : "conv2d";
  const at::Tensor& x = T(info, 1);
  const at::Tensor& w = T(info, 2);
  auto b = optT(info, 3);
  auto stride = ints(info, 4, "stride"), padding = ints(info, 5, "padding"), dilation = ints(info, 6, "dilation");
  int64_t groups = i64(info, 7, "groups");
  if (x.dim() != nd + 2 && x.dim() != nd + 1)
    fail("shape_mismatch", std::string(kOp) + ": input must have " + std::to_string(nd + 2) + " dims [N, C, ...], got shape " +
                               c10::str(x.sizes()));
  if (nd == 1) return wrap(info, at::conv1d(x, w, b, stride, padding, dilation, groups));
  if (nd == 2) return wrap(info, at::conv2d(x, w, b, stride, padding, dilation, groups));
  fail("invalid_argument", "ndim: expected 1 or 2");
} END_OP

// convTranspose2d(x, w, b | null, stride[], padding[], outputPadding[], groups, dilation[])
OP(convTranspose2d) {
  const at::Tensor& x = T(info, 0);
  const at::Tensor& w = T(info, 1);
  auto b = optT(info, 2);
  return wrap(info, at::conv_transpose2d(x, w, b, ints(info, 3, "stride"), ints(info, 4, "padding"),
                                         ints(info, 5, "outputPadding"), i64(info, 6, "groups"),
                                         ints(info, 7, "dilation")));
} END_OP

// maxPool2d(x, kernel[], stride[], padding[], dilation[], ceilMode)
OP(maxPool2d) {
  return wrap(info, at::max_pool2d(T(info, 0), ints(info, 1, "kernelSize"), ints(info, 2, "stride"),
                                   ints(info, 3, "padding"), ints(info, 4, "dilation"), flag(info, 5)));
} END_OP

// avgPool2d(x, kernel[], stride[], padding[], ceilMode, countIncludePad)
OP(avgPool2d) {
  return wrap(info, at::avg_pool2d(T(info, 0), ints(info, 1, "kernelSize"), ints(info, 2, "stride"),
                                   ints(info, 3, "padding"), flag(info, 4), flag(info, 5)));
} END_OP

OP(adaptiveAvgPool2d) { return wrap(info, at::adaptive_avg_pool2d(T(info, 0), ints(info, 1, "outputSize"))); } END_OP

// interpolate(x, size[], mode (0 nearest, 1 bilinear), alignCorners)
OP(interpolate) {
  const at::Tensor& x = T(info, 0);
  auto size = ints(info, 1, "size");
  int64_t mode = i64(info, 2, "mode");
  if (x.dim() != 4) fail("shape_mismatch", "interpolate: input must be 4-D [N, C, H, W], got shape " + c10::str(x.sizes()));
  if (size.size() != 2) fail("invalid_argument", "size: expected [H, W]");
  if (size[0] <= 0 || size[1] <= 0) fail("invalid_argument", "size: expected positive sizes, got " + c10::str(size));
  if (mode == 0) return wrap(info, at::upsample_nearest2d(x, size, c10::nullopt, c10::nullopt));
  if (mode == 1) return wrap(info, at::upsample_bilinear2d(x, size, flag(info, 3), c10::nullopt, c10::nullopt));
  fail("invalid_argument", "mode: expected 'nearest' or 'bilinear'");
} END_OP

// layerNorm(x, normalizedShape[], w | null, b | null, eps)
OP(layerNorm) {
  const at::Tensor& x = T(info, 0);
  auto shape = ints(info, 1, "normalizedShape");
  auto w = optT(info, 2);
  auto b = optT(info, 3);
  return wrap(info, at::layer_norm(x, shape, w, b, num(info, 4, "eps"), true));
} END_OP

// rmsNorm(x, normalizedShape[], w | null, eps): x * rsqrt(mean(x^2) + eps) * w
OP(rmsNorm) {
  const at::Tensor& x = T(info, 0);
  auto shape = ints(info, 1, "normalizedShape");
  auto w = optT(info, 2);
  double eps = num(info, 3, "eps");
  int64_t n = static_cast<int64_t>(shape.size());
  if (n == 0 || n > x.dim()) fail("shape_mismatch", "rmsNorm: normalizedShape " + c10::str(shape) + " does not fit input " + c10::str(x.sizes()));
  for (int64_t k = 0; k < n; k++)
    if (x.size(x.dim() - n + k) != shape[k])
      fail("shape_mismatch", "rmsNorm: normalizedShape " + c10::str(shape) + " does not match the trailing dims of input " + c10::str(x.sizes()));
  std::vector<int64_t> dims;
  for (int64_t k = 0; k < n; k++) dims.push_back(x.dim() - n + k);
  at::Tensor y = x * at::rsqrt(at::mean(x * x, dims, true) + eps);
  if (w.has_value()) y = y * *w;
  return wrap(info, y);
} END_OP

// groupNorm(x, groups, w | null, b | null, eps)
OP(groupNorm) {
  return wrap(info, at::group_norm(T(info, 0), i64(info, 1, "groups"), optT(info, 2), optT(info, 3), num(info, 4, "eps"), true));
} END_OP

// batchNorm(x, w|null, b|null, runningMean|null, runningVar|null, training, momentum, eps)
OP(batchNorm) {
  return wrap(info, at::batch_norm(T(info, 0), optT(info, 1), optT(info, 2), optT(info, 3), optT(info, 4), flag(info, 5),
                                   num(info, 6, "momentum"), num(info, 7, "eps"), true));
} END_OP

// softmax(isLog, x, dim)
OP(softmax) {
  bool isLog = flag(info, 0);
  kOp = isLog ? "logSoftmax" : "softmax";
  const at::Tensor& x = T(info, 1);
  int64_t dim = i64(info, 2, "dim");
  return wrap(info, isLog ? at::log_softmax(x, dim) : at::softmax(x, dim));
} END_OP

// dropout(x, p, training, generator-less)
OP(dropout) {
  const at::Tensor& x = T(info, 0);
  double p = num(info, 1, "p");
  if (!(p >= 0 && p <= 1)) fail("invalid_argument", "p: got " + std::to_string(p) + ", expected a probability in [0, 1]");
  return wrap(info, at::dropout(x, p, flag(info, 2)));
} END_OP

// embedding(idx, w, paddingIdx)
OP(embedding) {
  const at::Tensor& idx = T(info, 0);
  const at::Tensor& w = T(info, 1);
  if (idx.scalar_type() != at::kLong && idx.scalar_type() != at::kInt)
    fail("dtype_mismatch", "embedding: indices must be int32 or int64, got " + std::string(c10::toString(idx.scalar_type())));
  if (w.dim() != 2) fail("shape_mismatch", "embedding: weight must be 2-D [num, dim], got " + c10::str(w.sizes()));
  if (idx.numel() > 0) {
    int64_t lo = idx.min().item<int64_t>(), hi = idx.max().item<int64_t>();
    if (lo < 0 || hi >= w.size(0))
      fail("index_out_of_range", "embedding: index " + std::to_string(lo < 0 ? lo : hi) + " out of range [0, " +
                                     std::to_string(w.size(0)) + ")");
  }
  int64_t pad = isNullish(info, 2) ? -1 : i64(info, 2, "paddingIdx");
  return wrap(info, at::embedding(w, idx, pad, false, false));
} END_OP

// pad(x, pads[], value)
OP(pad) { return wrap(info, at::constant_pad_nd(T(info, 0), ints(info, 1, "pad"), scalarArg(info, 2, "value"))); } END_OP

OP(oneHot) { return wrap(info, at::one_hot(T(info, 0), i64(info, 1, "numClasses"))); } END_OP

// ---- losses ----------------------------------------------------------------------------------------------
static void sameShape(const char* op, const at::Tensor& a, const at::Tensor& b) {
  if (a.sizes() != b.sizes())
    fail("shape_mismatch", std::string(op) + ": input shape " + c10::str(a.sizes()) + " != target shape " + c10::str(b.sizes()));
}

// loss(kind, a, b, reduction, beta): 0 mse, 1 l1, 2 smoothL1, 3 bceWithLogits, 4 huber
OP(loss) {
  int64_t kind = i64(info, 0, "kind");
  static const char* names[] = {"mseLoss", "l1Loss", "smoothL1Loss", "binaryCrossEntropyWithLogits", "huberLoss"};
  if (kind >= 0 && kind < 5) kOp = names[kind];
  const at::Tensor& a = T(info, 1);
  const at::Tensor& b = T(info, 2);
  sameShape(kOp, a, b);
  int64_t red = reductionArg(info, 3);
  switch (kind) {
    case 0: return wrap(info, at::mse_loss(a, b, red));
    case 1: return wrap(info, at::l1_loss(a, b, red));
    case 2: return wrap(info, at::smooth_l1_loss(a, b, red, num(info, 4, "beta")));
    case 3: return wrap(info, at::binary_cross_entropy_with_logits(a, b, c10::nullopt, c10::nullopt, red));
    case 4: return wrap(info, at::huber_loss(a, b, red, num(info, 4, "delta")));
  }
  fail("invalid_argument", "loss kind unknown");
} END_OP

// crossEntropy(logits, target, weight | null, reduction, ignoreIndex, labelSmoothing)
OP(crossEntropy) {
  const at::Tensor& x = T(info, 0);
  const at::Tensor& t = T(info, 1);
  auto w = optT(info, 2);
  int64_t red = reductionArg(info, 3);
  int64_t ignore = i64(info, 4, "ignoreIndex");
  double ls = num(info, 5, "labelSmoothing");
  if (!(ls >= 0 && ls <= 1)) fail("invalid_argument", "labelSmoothing: got " + std::to_string(ls) + ", expected [0, 1]");
  if (x.dim() < 1) fail("shape_mismatch", "crossEntropy: logits must have a class dim");
  if (t.scalar_type() == at::kLong || t.scalar_type() == at::kInt) {
    // Class indices: check the range here (libtorch's CPU kernel asserts instead of throwing cleanly).
    int64_t classes = x.dim() == 1 ? x.size(0) : x.size(1);
    at::Tensor valid = t.ne(ignore);
    if (valid.any().item<bool>()) {
      at::Tensor vt = t.masked_select(valid);
      int64_t lo = vt.min().item<int64_t>(), hi = vt.max().item<int64_t>();
      if (lo < 0 || hi >= classes)
        fail("index_out_of_range", "crossEntropy: target class " + std::to_string(lo < 0 ? lo : hi) + " out of range [0, " +
                                       std::to_string(classes) + ")");
    }
    return wrap(info, at::cross_entropy_loss(x, t.to(at::kLong), w, red, ignore, ls));
  }
  return wrap(info, at::cross_entropy_loss(x, t, w, red, ignore, ls));
} END_OP

// nllLoss(logProbs, target, reduction, ignoreIndex)
OP(nllLoss) {
  return wrap(info, at::nll_loss_nd(T(info, 0), T(info, 1), c10::nullopt, reductionArg(info, 2), i64(info, 3, "ignoreIndex")));
} END_OP

// ---- attention ------------------------------------------------------------------------------------------
// sdpa(q, k, v, mask | null, isCausal, dropoutP, training, scale | null)
// q: [..., Tq, Dh], k/v: [..., Tk, Dh]; mask bool (true = attend) or additive float.
OP(sdpa) {
  kOp = "scaledDotProductAttention";
  const at::Tensor& q = T(info, 0);
  const at::Tensor& k = T(info, 1);
  const at::Tensor& v = T(info, 2);
  auto mask = optT(info, 3);
  bool causal = flag(info, 4);
  double p = num(info, 5, "dropoutP");
  bool training = flag(info, 6);
  if (q.dim() < 2 || k.dim() != q.dim() || v.dim() != q.dim())
    fail("shape_mismatch", "scaledDotProductAttention: q, k, v must have the same rank >= 2, got " + c10::str(q.sizes()) +
                               ", " + c10::str(k.sizes()) + ", " + c10::str(v.sizes()));
  if (q.size(-1) != k.size(-1) || k.size(-2) != v.size(-2))
    fail("shape_mismatch", "scaledDotProductAttention: q/k head dims or k/v lengths differ: q " + c10::str(q.sizes()) +
                               ", k " + c10::str(k.sizes()) + ", v " + c10::str(v.sizes()));
  double scale = isNullish(info, 7) ? 1.0 / std::sqrt(static_cast<double>(q.size(-1))) : num(info, 7, "scale");
  int64_t tq = q.size(-2), tk = k.size(-2);
  at::Tensor attn = at::matmul(q, k.transpose(-2, -1)).mul_(scale);  // [..., Tq, Tk]
  if (causal) {
    at::Tensor keep = at::ones({tq, tk}, q.options().dtype(at::kBool)).tril(0);
    attn.masked_fill_(keep.logical_not(), -std::numeric_limits<double>::infinity());
  }
  if (mask.has_value()) {
    if (mask->scalar_type() == at::kBool)
      attn.masked_fill_(mask->logical_not(), -std::numeric_limits<double>::infinity());
    else
      attn = attn + *mask;
  }
  attn = at::softmax(attn, -1);
  if (p > 0 && training) attn = at::dropout(attn, p, true);
  return wrap(info, at::matmul(attn, v));  // [..., Tq, Dv]
} END_OP

void registerNN(Napi::Env env, Napi::Object exports) {
  EXPORT(conv); EXPORT(convTranspose2d); EXPORT(maxPool2d); EXPORT(avgPool2d); EXPORT(adaptiveAvgPool2d);
  EXPORT(interpolate); EXPORT(layerNorm); EXPORT(rmsNorm); EXPORT(groupNorm); EXPORT(batchNorm); EXPORT(softmax);
  EXPORT(dropout); EXPORT(embedding); EXPORT(pad); EXPORT(oneHot); EXPORT(loss); EXPORT(crossEntropy); EXPORT(nllLoss);
  EXPORT(sdpa);
}

}  // namespace rt
