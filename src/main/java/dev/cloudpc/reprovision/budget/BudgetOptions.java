package dev.cloudpc.reprovision.budget;

import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.graph.GraphLimit;
import java.util.Map;

/** Requests per minute this app may send of each limited type (GRAPH_GET_CLOUD_PC_PER_MINUTE, …_LIST_…). */
public record BudgetOptions(Map<GraphLimit, Integer> perMinute) {

  public BudgetOptions {
    perMinute = Map.copyOf(perMinute);
  }

  public static BudgetOptions from(Settings settings) {
    return new BudgetOptions(Map.of(GraphLimit.GET_CLOUD_PC, settings.graphGetCloudPcPerMinute(),
        GraphLimit.LIST_CLOUD_PCS, settings.graphListCloudPcsPerMinute()));
  }
}
