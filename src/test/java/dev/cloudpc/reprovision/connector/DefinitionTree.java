package dev.cloudpc.reprovision.connector;

import dev.cloudpc.reprovision.http.ApiRoute;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/** The connector definition as a JSON tree, with local {@code $ref}s resolved, for structural assertions. */
record DefinitionTree(JsonObject root) {

  static DefinitionTree parse(String json) {
    return new DefinitionTree(new JsonObject(json));
  }

  /** The node a {@code #/...} reference points to, or the node itself when it is not a reference. */
  JsonObject resolve(JsonObject node) {
    String ref = node.getString("$ref");
    if (ref == null) {
      return node;
    }
    if (!ref.startsWith("#/")) {
      throw new AssertionError("only local references are allowed, not " + ref);
    }
    JsonObject target = root;
    for (String part : ref.substring(2).split("/")) {
      target = target.getJsonObject(part);
      if (target == null) {
        throw new AssertionError(ref + " does not resolve");
      }
    }
    return target;
  }

  /** The definition name a schema refers to, e.g. {@code Problem} for {@code #/definitions/Problem}. */
  static String definitionName(JsonObject schema) {
    String ref = schema == null ? null : schema.getString("$ref");
    return ref == null ? null : ref.substring("#/definitions/".length());
  }

  JsonObject definition(String name) {
    return root.getJsonObject("definitions").getJsonObject(name);
  }

  JsonObject properties(String definition) {
    return definition(definition).getJsonObject("properties");
  }

  /** Each operation as "METHOD /path" (below basePath) with its JSON. */
  List<Operation> operations() {
    List<Operation> all = new ArrayList<>();
    root.getJsonObject("paths").forEach(path -> ((JsonObject) path.getValue()).forEach(method -> all.add(new Operation(
        method.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(), (JsonObject) method.getValue()))));
    return all;
  }

  Operation operation(ApiRoute route) {
    String key = route.method().name() + " /" + route.functionRoute();
    return operations().stream().filter(op -> op.key().equals(key)).findFirst()
        .orElseThrow(() -> new AssertionError("no operation " + key));
  }

  List<JsonObject> parameters(Operation operation) {
    JsonArray parameters = operation.json().getJsonArray("parameters", new JsonArray());
    return parameters.stream().map(p -> resolve((JsonObject) p)).toList();
  }

  JsonObject response(Operation operation, int status) {
    JsonObject response = operation.json().getJsonObject("responses").getJsonObject(Integer.toString(status));
    if (response == null) {
      throw new AssertionError(operation.key() + " declares no " + status + " response");
    }
    return resolve(response);
  }

  /** Every {@code $ref} value anywhere in the document. */
  List<String> references() {
    List<String> refs = new ArrayList<>();
    walk(root, node -> {
      if (node.getValue("$ref") instanceof String ref) {
        refs.add(ref);
      }
    });
    return refs;
  }

  private static void walk(Object node, Consumer<JsonObject> visitor) {
    if (node instanceof JsonObject object) {
      visitor.accept(object);
      object.forEach(entry -> walk(entry.getValue(), visitor));
    } else if (node instanceof JsonArray array) {
      array.forEach(item -> walk(item, visitor));
    }
  }

  record Operation(String key, JsonObject json) {
    String operationId() {
      return json.getString("operationId");
    }
  }
}
