package dev.cloudpc.reprovision.support;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.HttpStatusType;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/** What the Functions Java worker hands a function: a request message whose builder makes the response. */
public record FakeHttpRequest(HttpMethod method, URI uri, Map<String, String> headers, Optional<String> body)
    implements HttpRequestMessage<Optional<String>> {

  /** The invocation context the worker passes along. */
  public static ExecutionContext context(String invocationId) {
    return new ExecutionContext() {
      @Override
      public Logger getLogger() {
        return Logger.getLogger("function");
      }

      @Override
      public String getInvocationId() {
        return invocationId;
      }

      @Override
      public String getFunctionName() {
        return "test";
      }
    };
  }

  @Override
  public URI getUri() {
    return uri;
  }

  @Override
  public HttpMethod getHttpMethod() {
    return method;
  }

  @Override
  public Map<String, String> getHeaders() {
    return headers;
  }

  @Override
  public Map<String, String> getQueryParameters() {
    Map<String, String> query = new HashMap<>();
    if (uri.getQuery() != null) {
      for (String pair : uri.getQuery().split("&")) {
        int eq = pair.indexOf('=');
        query.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
      }
    }
    return query;
  }

  @Override
  public Optional<String> getBody() {
    return body;
  }

  @Override
  public HttpResponseMessage.Builder createResponseBuilder(HttpStatus status) {
    return new Response.Builder(status);
  }

  @Override
  public HttpResponseMessage.Builder createResponseBuilder(HttpStatusType status) {
    return new Response.Builder(status);
  }

  record Response(HttpStatusType status, Map<String, String> headers, Object body) implements HttpResponseMessage {
    @Override
    public HttpStatusType getStatus() {
      return status;
    }

    @Override
    public String getHeader(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
          .findFirst().orElse(null);
    }

    @Override
    public Object getBody() {
      return body;
    }

    static final class Builder implements HttpResponseMessage.Builder {
      private HttpStatusType status;
      private final Map<String, String> headers = new HashMap<>();
      private Object body;

      Builder(HttpStatusType status) {
        this.status = status;
      }

      @Override
      public HttpResponseMessage.Builder status(HttpStatusType status) {
        this.status = status;
        return this;
      }

      @Override
      public HttpResponseMessage.Builder header(String key, String value) {
        headers.put(key, value);
        return this;
      }

      @Override
      public HttpResponseMessage.Builder body(Object body) {
        this.body = body;
        return this;
      }

      @Override
      public HttpResponseMessage build() {
        return new Response(status, Map.copyOf(headers), body);
      }
    }
  }
}
