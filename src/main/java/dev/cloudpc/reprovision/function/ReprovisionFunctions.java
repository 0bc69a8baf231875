package dev.cloudpc.reprovision.function;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatusType;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The Azure Functions entry points: one per route, each only hands the request to the Vert.x router (see
 * {@link RouterHandover}) and returns its answer. No logic lives here.
 */
public class ReprovisionFunctions {
  /** The host frames the response itself. */
  private static final Set<String> HOP_BY_HOP = Set.of("content-length", "connection", "transfer-encoding",
      "keep-alive");

  private final Function<RouterHandover.Inbound, RouterHandover.Answer> router;

  /** Used by the Functions worker: the JVM-wide router, started on first use. */
  public ReprovisionFunctions() {
    this(inbound -> {
      RouterHandover handover;
      try {
        handover = RouterHandover.shared();
      } catch (RuntimeException startFailure) {
        return RouterHandover.startFailure(startFailure);
      }
      return handover.forward(inbound);
    });
  }

  public ReprovisionFunctions(Function<RouterHandover.Inbound, RouterHandover.Answer> router) {
    this.router = router;
  }

  @FunctionName("ReprovisionCloudPcs")
  public HttpResponseMessage reprovisionMany(
      @HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.FUNCTION,
          route = "cloudpcs/reprovision") HttpRequestMessage<Optional<String>> request,
      ExecutionContext context) {
    return handOver(request, context, true);
  }

  @FunctionName("ReprovisionAllUserCloudPcs")
  public HttpResponseMessage reprovisionAllOfUser(
      @HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.FUNCTION,
          route = "users/{userId}/cloudpcs/reprovision") HttpRequestMessage<Optional<String>> request,
      ExecutionContext context) {
    return handOver(request, context, true);
  }

  @FunctionName("GetBulkReprovisionOperation")
  public HttpResponseMessage bulkOperation(
      @HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.FUNCTION,
          route = "cloudpcs/reprovision/operations/{bulkOperationId}") HttpRequestMessage<Optional<String>> request,
      ExecutionContext context) {
    return handOver(request, context, true);
  }

  @FunctionName("ReprovisionCloudPc")
  public HttpResponseMessage reprovision(
      @HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.FUNCTION,
          route = "cloudpcs/{cloudPcId}/reprovision") HttpRequestMessage<Optional<String>> request,
      ExecutionContext context) {
    return handOver(request, context, true);
  }

  @FunctionName("ReprovisionUserCloudPc")
  public HttpResponseMessage reprovisionForUser(
      @HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.FUNCTION,
          route = "users/{userId}/cloudpcs/{cloudPcId}/reprovision") HttpRequestMessage<Optional<String>> request,
      ExecutionContext context) {
    return handOver(request, context, true);
  }

  @FunctionName("ReprovisionMyCloudPc")
  public HttpResponseMessage reprovisionMine(
      @HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.FUNCTION,
          route = "me/cloudpcs/{cloudPcId}/reprovision") HttpRequestMessage<Optional<String>> request,
      ExecutionContext context) {
    return handOver(request, context, true);
  }

  @FunctionName("GetCloudPcStatus")
  public HttpResponseMessage status(
      @HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.FUNCTION,
          route = "cloudpcs/{cloudPcId}") HttpRequestMessage<Optional<String>> request,
      ExecutionContext context) {
    return handOver(request, context, true);
  }

  @FunctionName("GetReprovisionOperation")
  public HttpResponseMessage operation(
      @HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.FUNCTION,
          route = "cloudpcs/{cloudPcId}/operations/{operationId}") HttpRequestMessage<Optional<String>> request,
      ExecutionContext context) {
    return handOver(request, context, true);
  }

  @FunctionName("GetHealth")
  public HttpResponseMessage health(
      @HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.ANONYMOUS,
          route = "health") HttpRequestMessage<Optional<String>> request,
      ExecutionContext context) {
    return handOver(request, context, false);
  }

  @FunctionName("GetApiDefinition")
  public HttpResponseMessage apiDefinition(
      @HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.ANONYMOUS,
          route = "openapi.json") HttpRequestMessage<Optional<String>> request,
      ExecutionContext context) {
    return handOver(request, context, false);
  }

  /** @param keyVerified the route's authLevel is FUNCTION, so the host checked a key before calling us */
  private HttpResponseMessage handOver(HttpRequestMessage<Optional<String>> request, ExecutionContext context,
                                       boolean keyVerified) {
    RouterHandover.Answer answer = router.apply(new RouterHandover.Inbound(request.getHttpMethod().name(),
        request.getUri(), request.getHeaders(), request.getBody().orElse(null), context.getInvocationId(),
        keyVerified));
    HttpResponseMessage.Builder response = request.createResponseBuilder(HttpStatusType.custom(answer.status()));
    answer.headers().forEach(header -> {
      if (!HOP_BY_HOP.contains(header.getKey().toLowerCase(Locale.ROOT))) {
        response.header(header.getKey(), header.getValue());
      }
    });
    return response.body(answer.body()).build();
  }
}
