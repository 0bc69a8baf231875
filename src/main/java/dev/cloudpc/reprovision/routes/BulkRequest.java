package dev.cloudpc.reprovision.routes;

import dev.cloudpc.reprovision.cloudpc.ReprovisionOptions;
import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.request.Problem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The bulk route's body, checked whole before anything is sent: {@code cloudPcIds} (GUIDs, no duplicates, at most
 * BULK_MAX_CLOUD_PCS) and the same optional options as the single admin route. Unknown fields are errors.
 */
public record BulkRequest(List<String> cloudPcIds, ReprovisionOptions options) {
  private static final Set<String> FIELDS = Set.of("cloudPcIds", "osVersion", "userAccountType");

  public static BulkRequest parse(String body, int max) {
    if (body == null || body.isBlank()) {
      throw Problem.badRequest("body-required", "Send a JSON body such as {\"cloudPcIds\":[\"<guid>\", …], "
          + "\"osVersion\":\"windows11\"}.").exception();
    }
    JsonObject json = ReprovisionOptions.object(body);
    for (String field : json.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw Problem.badRequest("unknown-field", "Unknown field '" + field + "'. The body may contain only "
            + "cloudPcIds, osVersion and userAccountType (names are case-sensitive).")
            .with("field", field).with("allowedFields", List.copyOf(FIELDS)).exception();
      }
    }
    if (!(json.getValue("cloudPcIds") instanceof JsonArray array) || array.isEmpty()) {
      throw Problem.badRequest("invalid-field-value", "cloudPcIds must be a non-empty array of Cloud PC ids (GUIDs).")
          .with("field", "cloudPcIds").exception();
    }
    if (array.size() > max) {
      throw Problem.badRequest("too-many-cloud-pcs", array.size() + " Cloud PCs were given; at most " + max
          + " per request (BULK_MAX_CLOUD_PCS). Split the list.").with("maximum", max).exception();
    }
    List<String> invalid = new ArrayList<>();
    Set<String> ids = new LinkedHashSet<>();
    List<String> duplicates = new ArrayList<>();
    for (Object value : array) {
      if (!(value instanceof String id) || !Settings.GUID.matcher(id).matches()) {
        invalid.add(String.valueOf(value));
      } else if (!ids.add(id.toLowerCase(Locale.ROOT))) {
        duplicates.add(id);
      }
    }
    if (!invalid.isEmpty() || !duplicates.isEmpty()) {
      throw Problem.badRequest("invalid-cloud-pc-ids", (invalid.isEmpty() ? "" : "Not Cloud PC ids (GUIDs): "
              + invalid.stream().map(PathParams::printable).toList() + ". ")
              + (duplicates.isEmpty() ? "" : "Listed more than once: " + duplicates + ". ")
              + "Nothing was sent; correct the list and try again.")
          .with("invalidIds", invalid.stream().map(PathParams::printable).toList())
          .with("duplicateIds", duplicates).exception();
    }
    JsonObject optionsOnly = json.copy();
    optionsOnly.remove("cloudPcIds");
    return new BulkRequest(List.copyOf(ids), ReprovisionOptions.from(optionsOnly));
  }
}
