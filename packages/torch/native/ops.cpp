// Element-wise math, reductions, shape and indexing ops, matmul. Families are dispatched by a small
// integer code (mirrored in src/native.ts) to keep the N-API surface narrow.
#include "common.h"

namespace rt {

static const char* kUnaryNames[] = {"neg",  "abs",   "exp",   "log",      "sqrt",       "rsqrt",     "sin",
                                    "cos",  "tanh",  "sigmoid", "relu",   "gelu",       "silu",      "floor",
                                    "ceil", "round", "sign",  "log1p",    "expm1",      "square",    "reciprocal",
                                    "logicalNot", "geluTanh", "erf", "isnan", "softplus", "trunc", "frac"};
constexpr int kUnaryCount = sizeof(kUnaryNames) / sizeof(kUnaryNames[0]);

static at::Tensor unaryOp(int code, const at::Tensor& t) {
  switch (code) {
    case 0: return at::neg(t);
    case 1: return at::abs(t);
    case 2: return at::exp(t);
    case 3: return at::log(t);
    case 4: return at::sqrt(t);
    case 5: return at::rsqrt(t);
    case 6: return at::sin(t);
    case 7: return at::cos(t);
    case 8: return at::tanh(t);
    case 9: return at::sigmoid(t);
    case 10: return at::relu(t);
    case 11: return rt::gelu(t, false);
    case 12: return at::silu(t);
    case 13: return at::floor(t);
    case 14: return at::ceil(t);
    case 15: return at::round(t);
    case 16: return at::sign(t);
    case 17: return at::log1p(t);
    case 18: return at::expm1(t);
    case 19: return at::square(t);
    case 20: return at::reciprocal(t);
    case 21: return at::logical_not(t);
    case 22: return rt::gelu(t, true);
    case 23: return at::erf(t);
    case 24: return at::isnan(t);
    case 25: return at::softplus(t);
    case 26: return at::trunc(t);
    case 27: return at::frac(t);
  }
  fail("invalid_argument", "unary op code " + std::to_string(code) + " unknown");
}

OP(unary) {
  int code = static_cast<int>(i64(info, 0, "op"));
  if (code >= 0 && code < kUnaryCount) kOp = kUnaryNames[code];
  return wrap(info, unaryOp(code, T(info, 1)));
} END_OP

static const char* kBinaryNames[] = {"add", "sub", "mul", "div", "pow", "minimum", "maximum", "eq", "ne", "lt", "le",
                                     "gt",  "ge",  "logicalAnd", "logicalOr", "remainder", "atan2", "floorDivide"};
constexpr int kBinaryCount = sizeof(kBinaryNames) / sizeof(kBinaryNames[0]);

template <typename B>
static at::Tensor binaryOp(int code, const at::Tensor& a, const B& b) {
  switch (code) {
    case 0: return at::add(a, b);
    case 1: return at::sub(a, b);
    case 2: return at::mul(a, b);
    case 3: return at::div(a, b);
    case 4: return at::pow(a, b);
    case 7: return at::eq(a, b);
    case 8: return at::ne(a, b);
    case 9: return at::lt(a, b);
    case 10: return at::le(a, b);
    case 11: return at::gt(a, b);
    case 12: return at::ge(a, b);
    case 15: return at::remainder(a, b);
  }
  if constexpr (std::is_same_v<B, at::Tensor>) {
    switch (code) {
      case 5: return at::minimum(a, b);
      case 6: return at::maximum(a, b);
      case 13: return at::logical_and(a, b);
      case 14: return at::logical_or(a, b);
      case 16: return at::atan2(a, b);
      case 17: return at::div(a, b, "floor");
    }
  } else {
    switch (code) {
      case 5: return at::clamp_max(a, b);
      case 6: return at::clamp_min(a, b);
      case 17: return at::div(a, at::scalar_tensor(b, a.options()), "floor");
    }
  }
  fail("invalid_argument", "binary op code " + std::to_string(code) + " is not supported here");
}

// binary(code, a, b)
OP(binary) {
  int code = static_cast<int>(i64(info, 0, "op"));
  if (code >= 0 && code < kBinaryCount) kOp = kBinaryNames[code];
  return wrap(info, binaryOp<at::Tensor>(code, T(info, 1), T(info, 2)));
} END_OP

// Dedicated entry points for the commonest ops (one argument less to unwrap).
OP(add) { return wrap(info, at::add(T(info, 0), T(info, 1))); } END_OP
OP(sub) { return wrap(info, at::sub(T(info, 0), T(info, 1))); } END_OP
OP(mul) { return wrap(info, at::mul(T(info, 0), T(info, 1))); } END_OP
OP(div) { return wrap(info, at::div(T(info, 0), T(info, 1))); } END_OP

// binaryScalar(code, a, scalar, reversed): a op s, or s op a when reversed
OP(binaryScalar) {
  int code = static_cast<int>(i64(info, 0, "op"));
  if (code >= 0 && code < kBinaryCount) kOp = kBinaryNames[code];
  const at::Tensor& a = T(info, 1);
  at::Scalar s = scalarArg(info, 2, "other");
  if (flag(info, 3)) {
    switch (code) {
      case 0: return wrap(info, at::add(a, s));
      case 1: return wrap(info, at::rsub(a, s));
      case 2: return wrap(info, at::mul(a, s));
      case 3: return wrap(info, at::mul(at::reciprocal(a), s));
      case 4: return wrap(info, at::pow(s, a));
      default: return wrap(info, binaryOp<at::Tensor>(code, at::scalar_tensor(s, a.options()), a));
    }
  }
  return wrap(info, binaryOp<at::Scalar>(code, a, s));
} END_OP

// clamp(t, min | null, max | null)
OP(clamp) {
  const at::Tensor& t = T(info, 0);
  c10::optional<at::Scalar> lo, hi;
  if (!isNullish(info, 1)) lo = scalarArg(info, 1, "min");
  if (!isNullish(info, 2)) hi = scalarArg(info, 2, "max");
  if (!lo && !hi) fail("invalid_argument", "clamp: at least one of min and max must be given");
  return wrap(info, at::clamp(t, lo, hi));
} END_OP

OP(where) { return wrap(info, at::where(T(info, 0), T(info, 1), T(info, 2))); } END_OP

// maskedFill(t, mask, value)
OP(maskedFill) {
  const at::Tensor& t = T(info, 0);
  const at::Tensor& m = T(info, 1);
  if (m.scalar_type() != at::kBool)
    fail("dtype_mismatch", "maskedFill: mask must be a bool tensor, got " + std::string(c10::toString(m.scalar_type())));
  return wrap(info, at::masked_fill(t, m, scalarArg(info, 2, "value")));
} END_OP

// ---- reductions ------------------------------------------------------------------------------------
static const char* kReduceNames[] = {"sum", "mean", "max", "min", "logsumexp", "prod", "all", "any", "norm"};
constexpr int kReduceCount = sizeof(kReduceNames) / sizeof(kReduceNames[0]);

// reduce(code, t, dims | null, keepdim)
OP(reduce) {
  int code = static_cast<int>(i64(info, 0, "op"));
  if (code >= 0 && code < kReduceCount) kOp = kReduceNames[code];
  const at::Tensor& t = T(info, 1);
  bool all = isNullish(info, 2);
  std::vector<int64_t> dims;
  if (!all) dims = ints(info, 2, "dim");
  bool keep = flag(info, 3);
  std::vector<int64_t> alld(t.dim());
  for (int64_t d = 0; d < t.dim(); d++) alld[d] = d;
  if (all && keep && t.dim() > 0 && code <= 4) {
    // Reduce every dim explicitly (an empty dim list is ambiguous across libtorch versions).
    switch (code) {
      case 0: return wrap(info, at::sum(t, alld, true));
      case 1: return wrap(info, at::mean(t, alld, true));
      case 2: return wrap(info, at::amax(t, alld, true));
      case 3: return wrap(info, at::amin(t, alld, true));
      case 4: return wrap(info, at::logsumexp(t, alld, true));
    }
  }
  if (all) {
    switch (code) {
      case 0: return wrap(info, at::sum(t));
      case 1: return wrap(info, at::mean(t));
      case 2: return wrap(info, at::max(t));
      case 3: return wrap(info, at::min(t));
      case 4: return wrap(info, at::logsumexp(t, alld, false));
      case 5: return wrap(info, at::prod(t));
      case 6: return wrap(info, at::all(t));
      case 7: return wrap(info, at::any(t));
      case 8: return wrap(info, at::norm(t));
    }
  } else {
    switch (code) {
      case 0: return wrap(info, at::sum(t, dims, keep));
      case 1: return wrap(info, at::mean(t, dims, keep));
      case 2: return wrap(info, at::amax(t, dims, keep));
      case 3: return wrap(info, at::amin(t, dims, keep));
      case 4: return wrap(info, at::logsumexp(t, dims, keep));
      case 5:
        if (dims.size() != 1) fail("invalid_argument", "prod: expected exactly one dim");
        return wrap(info, at::prod(t, dims[0], keep));
      case 6:
        if (dims.size() != 1) fail("invalid_argument", "all: expected exactly one dim");
        return wrap(info, at::all(t, dims[0], keep));
      case 7:
        if (dims.size() != 1) fail("invalid_argument", "any: expected exactly one dim");
        return wrap(info, at::any(t, dims[0], keep));
      case 8: return wrap(info, at::norm(t, 2, dims, keep));
    }
  }
  fail("invalid_argument", "reduce op code " + std::to_string(code) + " unknown");
} END_OP

// varStd(isStd, t, dims | null, unbiased, keepdim)
OP(varStd) {
  bool isStd = flag(info, 0);
  kOp = isStd ? "std" : "var";
  const at::Tensor& t = T(info, 1);
  bool unbiased = flag(info, 3), keep = flag(info, 4);
  if (isNullish(info, 2)) return wrap(info, isStd ? at::std(t, unbiased) : at::var(t, unbiased));
  auto dims = ints(info, 2, "dim");
  return wrap(info, isStd ? at::std(t, at::OptionalIntArrayRef(dims), unbiased, keep)
                          : at::var(t, at::OptionalIntArrayRef(dims), unbiased, keep));
} END_OP

// argmax(isMin, t, dim | null, keepdim)
OP(argmax) {
  bool isMin = flag(info, 0);
  kOp = isMin ? "argmin" : "argmax";
  const at::Tensor& t = T(info, 1);
  c10::optional<int64_t> dim;
  if (!isNullish(info, 2)) dim = i64(info, 2, "dim");
  return wrap(info, isMin ? at::argmin(t, dim, flag(info, 3)) : at::argmax(t, dim, flag(info, 3)));
} END_OP

// maxDim(isMin, t, dim, keepdim) -> [values, indices]
OP(maxDim) {
  bool isMin = flag(info, 0);
  kOp = isMin ? "min" : "max";
  const at::Tensor& t = T(info, 1);
  int64_t dim = i64(info, 2, "dim");
  auto r = isMin ? at::min(t, dim, flag(info, 3)) : at::max(t, dim, flag(info, 3));
  return wrapList(info, {std::get<0>(r), std::get<1>(r)});
} END_OP

OP(cumsum) { return wrap(info, at::cumsum(T(info, 0), i64(info, 1, "dim"))); } END_OP
OP(cumprod) { return wrap(info, at::cumprod(T(info, 0), i64(info, 1, "dim"))); } END_OP

// topk(t, k, dim, largest) -> [values, indices]
OP(topk) {
  auto r = at::topk(T(info, 0), i64(info, 1, "k"), i64(info, 2, "dim"), flag(info, 3), true);
  return wrapList(info, {std::get<0>(r), std::get<1>(r)});
} END_OP

// sort(t, dim, descending) -> [values, indices]
OP(sort) {
  auto r = at::sort(T(info, 0), i64(info, 1, "dim"), flag(info, 2));
  return wrapList(info, {std::get<0>(r), std::get<1>(r)});
} END_OP

// ---- shape -------------------------------------------------------------------------------------------
OP(reshape) { return wrap(info, at::reshape(T(info, 0), ints(info, 1, "shape"))); } END_OP
OP(view) { return wrap(info, T(info, 0).view(ints(info, 1, "shape"))); } END_OP
OP(permute) { return wrap(info, T(info, 0).permute(ints(info, 1, "dims"))); } END_OP
OP(transpose) { return wrap(info, at::transpose(T(info, 0), i64(info, 1, "dim0"), i64(info, 2, "dim1"))); } END_OP
OP(squeeze) {
  const at::Tensor& t = T(info, 0);
  if (isNullish(info, 1)) return wrap(info, at::squeeze(t));
  return wrap(info, at::squeeze(t, i64(info, 1, "dim")));
} END_OP
OP(unsqueeze) { return wrap(info, at::unsqueeze(T(info, 0), i64(info, 1, "dim"))); } END_OP
OP(expand) { return wrap(info, T(info, 0).expand(ints(info, 1, "shape"))); } END_OP
OP(flatten) { return wrap(info, at::flatten(T(info, 0), i64(info, 1, "startDim"), i64(info, 2, "endDim"))); } END_OP
OP(narrow) {
  return wrap(info, at::narrow(T(info, 0), i64(info, 1, "dim"), i64(info, 2, "start"), i64(info, 3, "length")));
} END_OP
// slice(t, dim, start, end, step)
OP(slice) {
  const at::Tensor& t = T(info, 0);
  int64_t step = i64(info, 4, "step");
  if (step <= 0) fail("invalid_argument", "step: got " + std::to_string(step) + ", expected a positive step");
  c10::optional<int64_t> end;
  if (!isNullish(info, 3)) end = i64(info, 3, "end");
  return wrap(info, at::slice(t, i64(info, 1, "dim"), i64(info, 2, "start"), end, step));
} END_OP
OP(indexSelect) { return wrap(info, at::index_select(T(info, 0), i64(info, 1, "dim"), T(info, 2))); } END_OP
OP(gather) { return wrap(info, at::gather(T(info, 0), i64(info, 1, "dim"), T(info, 2))); } END_OP
// scatter(t, dim, index, src, add)
OP(scatter) {
  const at::Tensor& t = T(info, 0);
  int64_t dim = i64(info, 1, "dim");
  const at::Tensor& idx = T(info, 2);
  const at::Tensor& src = T(info, 3);
  return wrap(info, flag(info, 4) ? at::scatter_add(t, dim, idx, src) : at::scatter(t, dim, idx, src));
} END_OP
OP(flip) { return wrap(info, at::flip(T(info, 0), ints(info, 1, "dims"))); } END_OP
OP(repeat) { return wrap(info, T(info, 0).repeat(ints(info, 1, "repeats"))); } END_OP
OP(cat) {
  auto ts = tensorList(info, 0);
  if (ts.empty()) fail("invalid_argument", "tensors: got an empty array, expected at least one tensor");
  return wrap(info, at::cat(ts, i64(info, 1, "dim")));
} END_OP
OP(stack) {
  auto ts = tensorList(info, 0);
  if (ts.empty()) fail("invalid_argument", "tensors: got an empty array, expected at least one tensor");
  return wrap(info, at::stack(ts, i64(info, 1, "dim")));
} END_OP
// split(t, sizeOrSizes, dim)
OP(split) {
  const at::Tensor& t = T(info, 0);
  int64_t dim = i64(info, 2, "dim");
  if (info[1].IsArray()) return wrapList(info, at::split_with_sizes(t, ints(info, 1, "sizes"), dim));
  int64_t size = i64(info, 1, "splitSize");
  if (size <= 0) fail("invalid_argument", "splitSize: got " + std::to_string(size) + ", expected > 0");
  return wrapList(info, at::split(t, size, dim));
} END_OP
OP(chunk) {
  int64_t n = i64(info, 1, "chunks");
  if (n <= 0) fail("invalid_argument", "chunks: got " + std::to_string(n) + ", expected > 0");
  return wrapList(info, at::chunk(T(info, 0), n, i64(info, 2, "dim")));
} END_OP
OP(unbind) { return wrapList(info, at::unbind(T(info, 0), i64(info, 1, "dim"))); } END_OP
OP(tril) { return wrap(info, at::tril(T(info, 0), i64(info, 1, "diagonal"))); } END_OP
OP(triu) { return wrap(info, at::triu(T(info, 0), i64(info, 1, "diagonal"))); } END_OP

// ---- matmul ---------------------------------------------------------------------------------------------
OP(matmul) { return wrap(info, at::matmul(T(info, 0), T(info, 1))); } END_OP
OP(bmm) { return wrap(info, at::bmm(T(info, 0), T(info, 1))); } END_OP
OP(outer) { return wrap(info, at::outer(T(info, 0), T(info, 1))); } END_OP
OP(linear) {
  const at::Tensor& x = T(info, 0);
  const at::Tensor& w = T(info, 1);
  return wrap(info, at::linear(x, w, optT(info, 2)));
} END_OP
OP(einsum) {
  Napi::Value eq = info[0];
  if (!eq.IsString()) fail("invalid_argument", "equation: expected a string");
  return wrap(info, at::einsum(eq.As<Napi::String>().Utf8Value(), tensorList(info, 1)));
} END_OP

void registerOps(Napi::Env env, Napi::Object exports) {
  EXPORT(unary); EXPORT(binary); EXPORT(add); EXPORT(sub); EXPORT(mul); EXPORT(div); EXPORT(binaryScalar); EXPORT(clamp); EXPORT(where); EXPORT(maskedFill);
  EXPORT(reduce); EXPORT(varStd); EXPORT(argmax); EXPORT(maxDim); EXPORT(cumsum); EXPORT(cumprod); EXPORT(topk);
  EXPORT(sort); EXPORT(reshape); EXPORT(view); EXPORT(permute); EXPORT(transpose); EXPORT(squeeze);
  EXPORT(unsqueeze); EXPORT(expand); EXPORT(flatten); EXPORT(narrow); EXPORT(slice); EXPORT(indexSelect);
  EXPORT(gather); EXPORT(scatter); EXPORT(flip); EXPORT(repeat); EXPORT(cat); EXPORT(stack); EXPORT(split);
  EXPORT(chunk); EXPORT(unbind); EXPORT(tril); EXPORT(triu); EXPORT(matmul); EXPORT(bmm); EXPORT(outer);
  EXPORT(linear); EXPORT(einsum);
}

}  // namespace rt
