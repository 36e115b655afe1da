// Custom autograd functions that work around libtorch bugs (kept in their own translation unit: the
// autograd headers are heavy).
#include <torch/csrc/autograd/custom_function.h>

#include "common.h"

namespace rt {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// GELU whose backward first lays the incoming gradient out like the input. libtorch 1.13's CPU
// gelu_backward returns garbage when the gradient's layout differs from the input's (e.g. a
// channels-last gradient after reshape/transpose of a conv output): measured max error 2.9 vs the
// contiguous result, gradient norms of 1e12 downstream. Forward values are unchanged.
struct GeluFn : public torch::autograd::Function<GeluFn> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, bool tanh) {
    ctx->save_for_backward({x});
    ctx->saved_data["tanh"] = tanh;
    return at::gelu(x, tanh ? "tanh" : "none");
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    at::Tensor x = ctx->get_saved_variables()[0];
    bool tanh = ctx->saved_data["tanh"].toBool();
    at::Tensor g = grads[0].contiguous(x.suggest_memory_format());
    return {at::gelu_backward(g, x, tanh ? "tanh" : "none"), at::Tensor()};
  }
};

at::Tensor gelu(const at::Tensor& x, bool tanh) {
  if (!x.requires_grad() || !at::GradMode::is_enabled()) return at::gelu(x, tanh ? "tanh" : "none");
  return GeluFn::apply(x, tanh);
}

}  // namespace rt
