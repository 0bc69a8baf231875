package dev.cloudpc.reprovision.bench;

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

/**
 * What the Functions Java worker hands a function, reduced to what the hand-over reads: method, URI, headers, body,
 * and a response builder. Bench-only (the function tests keep their own, package-private one).
 */
record FunctionRequest(HttpMethod method, URI uri, Map<String, String> headers)
    implements HttpRequestMessage<Optional<String>> {

  static ExecutionContext context(String invocationId) {
    return new ExecutionContext() {
      @Override
      public Logger getLogger() {
        return Logger.getLogger("bench");
      }

      @Override
      public String getInvocationId() {
        return invocationId;
      }

      @Override
      public String getFunctionName() {
        return "bench";
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
    return Map.of();
  }

  @Override
  public Optional<String> getBody() {
    return Optional.empty();
  }

  @Override
  public HttpResponseMessage.Builder createResponseBuilder(HttpStatus status) {
    return new Answer(status);
  }

  @Override
  public HttpResponseMessage.Builder createResponseBuilder(HttpStatusType status) {
    return new Answer(status);
  }

  /** Builder and built response in one: the bench only reads the status back. */
  private static final class Answer implements HttpResponseMessage.Builder, HttpResponseMessage {
    private HttpStatusType status;
    private final Map<String, String> headers = new HashMap<>();
    private Object body;

    Answer(HttpStatusType status) {
      this.status = status;
    }

    @Override
    public HttpResponseMessage.Builder status(HttpStatusType value) {
      status = value;
      return this;
    }

    @Override
    public HttpResponseMessage.Builder header(String key, String value) {
      headers.put(key, value);
      return this;
    }

    @Override
    public HttpResponseMessage.Builder body(Object value) {
      body = value;
      return this;
    }

    @Override
    public HttpResponseMessage build() {
      return this;
    }

    @Override
    public HttpStatusType getStatus() {
      return status;
    }

    @Override
    public String getHeader(String key) {
      return headers.get(key);
    }

    @Override
    public Object getBody() {
      return body;
    }
  }
}
