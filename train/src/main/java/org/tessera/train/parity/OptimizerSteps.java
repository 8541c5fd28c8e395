package org.tessera.train.parity;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.tessera.nn.optim.Adam;
import org.tessera.nn.optim.Optimizer;
import org.tessera.nn.optim.ParamGroup;
import org.tessera.nn.optim.Sgd;
import org.tessera.tensor.Tensor;

/** The optimizer fixtures: a few steps on sum(w·(p − target)²) from p, returning p after them. */
final class OptimizerSteps {
  private OptimizerSteps() {}

  static Tensor run(Map<String, Tensor> in, JsonNode p, String kind) {
    Tensor param = in.get("p").mul(1).detach().requiresGrad(true), target = in.get("target"), w = in.get("w");
    List<ParamGroup> groups = List.of(new ParamGroup(List.of(param), p.get("lr").asDouble(), p.path("weight_decay").asDouble(0)));
    Optimizer opt = switch (kind) {
      case "sgd" -> new Sgd(groups, p.path("momentum").asDouble(0), p.path("dampening").asDouble(0), p.path("nesterov").asBoolean(false));
      default -> new Adam(groups, p.get("betas").get(0).asDouble(), p.get("betas").get(1).asDouble(), p.path("eps").asDouble(1e-8), kind.equals("adamw"));
    };
    for (int i = 0; i < p.path("steps").asInt(1); i++) {
      opt.zeroGrad();
      param.sub(target).square().mul(w).sum().backward();
      opt.step();
    }
    return param.detach();
  }
}
