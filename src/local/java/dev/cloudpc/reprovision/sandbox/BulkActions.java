package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Beta {@code cloudPcBulkReprovision} actions. Each PC's outcome is fixed at creation (refused: failed or
 * notSupported) or follows its {@link SimulatedRebuild} over time, so the summary is computed on read.
 */
final class BulkActions {

  static final String ODATA_TYPE = "#microsoft.graph.cloudPcBulkReprovision";

  record Item(String cloudPcId, String refusedState, SimulatedRebuild action) {

    String stateAt(Instant now) {
      return action != null ? action.stateAt(now) : refusedState;
    }
  }

  record BulkAction(String id, String displayName, List<String> cloudPcIds, Instant created, String initiatedBy,
                    List<Item> items) {

    /**
     * {@code status} (pending, inProgress, succeeded, failed) and {@code actionSummary.total} are not in the current
     * beta docs; they are extras for convenience. The documented counters are all there.
     */
    JsonObject toJson(Instant now) {
      int pending = 0;
      int inProgress = 0;
      int successful = 0;
      int failed = 0;
      int notSupported = 0;
      for (Item item : items) {
        switch (item.stateAt(now)) {
          case "pending" -> pending++;
          case "active" -> inProgress++;
          case "done" -> successful++;
          case "notSupported" -> notSupported++;
          default -> failed++;
        }
      }
      String status = pending == items.size() ? "pending"
          : pending + inProgress > 0 ? "inProgress"
          : successful == items.size() ? "succeeded" : "failed";
      return new JsonObject()
          .put("@odata.type", ODATA_TYPE)
          .put("id", id)
          .put("displayName", displayName)
          .put("cloudPcIds", new JsonArray(List.copyOf(cloudPcIds)))
          .put("createdDateTime", created.toString())
          .put("initiatedByUserPrincipalName", initiatedBy)
          .put("scheduledDuringMaintenanceWindow", false)
          .put("status", status)
          .put("actionSummary", new JsonObject()
              .put("total", items.size())
              .put("successfulCount", successful)
              .put("failedCount", failed)
              .put("inProgressCount", inProgress)
              .put("notSupportedCount", notSupported)
              .put("pendingCount", pending));
    }
  }

  private final Map<String, BulkAction> actions = new ConcurrentHashMap<>();

  /** Starts a rebuild on every listed PC that can take one; unknown or busy PCs count as failed. */
  BulkAction create(String displayName, List<String> cloudPcIds, String initiatedBy, CloudPcStore store) {
    List<Item> items = new ArrayList<>(cloudPcIds.size());
    for (String id : cloudPcIds) {
      CloudPcStore.Start start = store.startReprovision(id, null, null);
      items.add(switch (start.kind()) {
        case STARTED -> new Item(id, null, start.action());
        case NOT_SUPPORTED -> new Item(id, "notSupported", null);
        case NOT_FOUND, BUSY -> new Item(id, "failed", null);
      });
    }
    BulkAction action = new BulkAction(Ids.guid(), displayName, List.copyOf(cloudPcIds), Instant.now(),
        initiatedBy, List.copyOf(items));
    actions.put(action.id(), action);
    return action;
  }

  Optional<BulkAction> find(String id) {
    return Optional.ofNullable(actions.get(id));
  }

  void clear() {
    actions.clear();
  }
}
