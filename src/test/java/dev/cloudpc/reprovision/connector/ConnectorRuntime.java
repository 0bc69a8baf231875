package dev.cloudpc.reprovision.connector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.connector.DefinitionTree.Operation;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Power Platform's connector runtime sends for one connection of a connector folder, as far as the function can
 * see it: the operation's path, query, headers and body from the definition; the host from the {@code dynamichosturl}
 * policy; the headers the {@code setheader} policies set (expressions read only the connection's parameters); the
 * bearer token of the Entra ID sign-in. A Location or next link on the connection's host is followed as the runtime
 * routes it, through the connection: it must be an operation of the definition, and gets that operation's policies.
 * Nothing the definition and properties do not say is added — that is the point.
 *
 * <p>{@code frontEnd} maps the https URL the connection names to where the test's function listens (App Service's
 * front end ends TLS the same way).
 */
final class ConnectorRuntime {
  private static final Pattern EXPRESSION = Pattern.compile("@[A-Za-z]");

  private final ConnectorFiles folder;
  private final Map<String, String> connection;
  private final String bearer;
  private final WebClient client;
  private final UnaryOperator<String> frontEnd;

  /**
   * @param connection the connection's parameter values
   * @param bearer     the access token the Entra ID sign-in holds, or null (key-only connector)
   */
  ConnectorRuntime(ConnectorFiles folder, Map<String, String> connection, String bearer, WebClient client,
                   UnaryOperator<String> frontEnd) {
    this.folder = folder;
    this.connection = Map.copyOf(connection);
    this.bearer = bearer;
    this.client = client;
    this.frontEnd = frontEnd;
  }

  /** Runs an operation with the maker's arguments: path, query and header parameters by name, the body as "body". */
  Future<HttpResponse<Buffer>> call(String operationId, Map<String, Object> arguments) {
    Operation operation = operation(operationId);
    String path = operation.key().substring(operation.key().indexOf(' ') + 1);
    List<String> query = new ArrayList<>();
    JsonObject body = null;
    Map<String, String> headers = new java.util.LinkedHashMap<>();
    for (JsonObject parameter : folder.definition().parameters(operation)) {
      String name = parameter.getString("name");
      Object value = arguments.get("body".equals(parameter.getString("in")) ? "body" : name);
      if (value == null) {
        assertThat(parameter.getBoolean("required", false)).as(operationId + " needs " + name).isFalse();
        continue;
      }
      switch (parameter.getString("in")) {
        case "path" -> path = path.replace("{" + name + "}", encode(value.toString()));
        case "query" -> query.add(name + "=" + encode(value.toString()));
        case "header" -> headers.put(name, value.toString());
        case "body" -> body = (JsonObject) value;
        default -> throw new AssertionError("parameter location " + parameter.getString("in"));
      }
    }
    String url = baseUrl(operationId) + path + (query.isEmpty() ? "" : "?" + String.join("&", query));
    return send(operation, url, headers, body);
  }

  /** Follows a Location or next link the function answered with, as the runtime routes it through the connection. */
  Future<HttpResponse<Buffer>> follow(String link) {
    URI target = URI.create(link);
    URI base = URI.create(baseUrl(null));
    assertThat(target.getRawAuthority()).as("the link stays on the connection's host").isEqualTo(base.getRawAuthority());
    assertThat(target.getRawPath()).startsWith(base.getRawPath() + "/");
    String path = target.getRawPath().substring(base.getRawPath().length());
    Operation operation = folder.definition().operations().stream()
        .filter(op -> op.key().startsWith("GET ") && template(op).matcher(path).matches())
        .max(java.util.Comparator.comparingLong(ConnectorRuntime::literalSegments)).orElseThrow(() -> new AssertionError(link + " is no operation of the connector"));
    List<String> declared = folder.definition().parameters(operation).stream()
        .filter(p -> "query".equals(p.getString("in"))).map(p -> p.getString("name")).toList();
    if (target.getRawQuery() != null) {
      for (String pair : target.getRawQuery().split("&")) {
        assertThat(declared).as(operation.operationId() + " declares the link's query parameter").contains(
            URLDecoder.decode(pair.split("=", 2)[0], StandardCharsets.UTF_8));
      }
    }
    String url = base.getScheme() + "://" + base.getRawAuthority() + target.getRawPath()
        + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
    return send(operation, url, Map.of(), null);
  }

  private Future<HttpResponse<Buffer>> send(Operation operation, String url, Map<String, String> parameterHeaders,
                                            JsonObject body) {
    HttpMethod method = HttpMethod.valueOf(operation.key().substring(0, operation.key().indexOf(' ')));
    HttpRequest<Buffer> request = client.requestAbs(method, frontEnd.apply(url));
    parameterHeaders.forEach(request::putHeader);
    if (bearer != null && folder.connectionParameters().containsKey("token")) {
      request.putHeader("Authorization", "Bearer " + bearer);
    }
    for (JsonObject policy : folder.policies("setheader")) {
      JsonObject set = policy.getJsonObject("parameters");
      if (ConnectorFiles.appliesTo(policy, operation.operationId())
          && "Request".equals(set.getString("x-ms-apimTemplate-policySection", "Request"))) {
        request.putHeader(set.getString("x-ms-apimTemplateParameter.name"),
            evaluate(set.getString("x-ms-apimTemplateParameter.value")));
      }
    }
    return body == null ? request.send() : request.sendJsonObject(body);
  }

  /** The host URL: the dynamichosturl policy's template for this operation, else the definition's host. */
  private String baseUrl(String operationId) {
    return folder.policies("dynamichosturl").stream()
        .filter(p -> operationId == null || ConnectorFiles.appliesTo(p, operationId))
        .map(p -> evaluate(p.getJsonObject("parameters").getString("x-ms-apimTemplateParameter.urlTemplate")))
        .findFirst().orElse("https://" + folder.definition().root().getString("host")
            + folder.definition().root().getString("basePath"));
  }

  /** Connection parameters only; any other expression is beyond what this connector may rely on. */
  private String evaluate(String expression) {
    Matcher matcher = ConnectorFiles.CONNECTION_PARAMETER.matcher(expression);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String value = connection.get(matcher.group(1));
      assertThat(value).as("the connection holds " + matcher.group(1)).isNotNull();
      matcher.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(out);
    assertThat(EXPRESSION.matcher(out).find()).as("unsupported expression in " + expression).isFalse();
    return out.toString();
  }

  private Operation operation(String operationId) {
    return folder.definition().operations().stream().filter(op -> op.operationId().equals(operationId)).findFirst()
        .orElseThrow(() -> new AssertionError("no operation " + operationId));
  }

  /** The operation's path as a pattern: {@code {param}} segments match any segment. */
  private static Pattern template(Operation operation) {
    String path = operation.key().substring(operation.key().indexOf(' ') + 1);
    return Pattern.compile(java.util.Arrays.stream(path.split("/", -1))
        .map(segment -> segment.matches("\\{[A-Za-z]+}") ? "[^/]+" : Pattern.quote(segment))
        .collect(java.util.stream.Collectors.joining("/")));
  }

  /** Literal segments first, as a router matches: the bulk poll's "reprovision" before a Cloud PC id. */
  private static long literalSegments(Operation operation) {
    return java.util.Arrays.stream(operation.key().split("/")).filter(s -> !s.startsWith("{")).count();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
