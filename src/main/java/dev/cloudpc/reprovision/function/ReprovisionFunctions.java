package dev.cloudpc.reprovision.function;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatusType;
import com.microsoft.azure.functions.TraceContext;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.cloudpc.reprovision.ClassPreload;
import dev.cloudpc.reprovision.request.InvocationLog;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.ProblemException;
import dev.cloudpc.reprovision.request.RequestScope;
import dev.cloudpc.reprovision.telemetry.TraceContexts;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.LogRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The Azure Functions entry points: one per route, each only hands the request to the Vert.x router (see
 * {@link RouterHandover}) and returns its answer. No API logic lives here, only the fit to the Java worker: reading
 * its URL ({@link RequestTarget}), one value per response header ({@link ResponseHeaders}) and publishing the
 * invocation's log lines to its logger.
 */
public class ReprovisionFunctions {
  static {
    ClassPreload.start(); // before the logger below: logging set-up is among the classes it loads
  }

  private static final Logger LOG = LoggerFactory.getLogger(ReprovisionFunctions.class);

  private final Function<RouterHandover.Inbound, RouterHandover.Answer> router;

  /** Used by the Functions worker: the JVM-wide router, started on first use. */
  public ReprovisionFunctions() {
    this(inbound -> {
      RouterHandover handover;
      try {
        handover = RouterHandover.shared();
      } catch (RuntimeException startFailure) {
        return RouterHandover.startFailure(inbound, startFailure);
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

  @FunctionName("ListMyCloudPcs")
  public HttpResponseMessage listMine(
      @HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.FUNCTION,
          route = "me/cloudpcs") HttpRequestMessage<Optional<String>> request,
      ExecutionContext context) {
    return handOver(request, context, true);
  }

  @FunctionName("ListUserCloudPcs")
  public HttpResponseMessage listOfUser(
      @HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.FUNCTION,
          route = "users/{userId}/cloudpcs") HttpRequestMessage<Optional<String>> request,
      ExecutionContext context) {
    return handOver(request, context, true);
  }

  @FunctionName("ListCloudPcs")
  public HttpResponseMessage listTenant(
      @HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.FUNCTION,
          route = "cloudpcs") HttpRequestMessage<Optional<String>> request,
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

  /**
   * Every request the worker hands over is answered by the router or, when it cannot get there, with a problem of
   * our own — always with a {@code client-request-id}. The invocation's log lines are published to its logger on
   * this thread before returning (see {@link InvocationLog} for why).
   *
   * @param keyVerified the route's authLevel is FUNCTION, so the host checked a key before calling us
   */
  private HttpResponseMessage handOver(HttpRequestMessage<Optional<String>> request, ExecutionContext context,
                                       boolean keyVerified) {
    Map<String, String> headers = request.getHeaders();
    String invocationId = Optional.ofNullable(context.getInvocationId()).orElse("unknown");
    String clientRequestId = RequestScope.clientRequestId(headers.get("client-request-id"));
    // The invocation's trace: the agent's current span when Application Insights' agent runs (it corrects the
    // sampled flag the host leaves unset), else the one the host handed the worker (ExecutionTraceContext).
    TraceContext trace = context.getTraceContext();
    String traceparent = TraceContexts.currentOr(trace == null ? null : trace.getTraceparent());
    String tracestate = trace == null ? null : trace.getTracestate();
    RouterHandover.Answer answer;
    try (InvocationLog.Capture lines = InvocationLog.open(invocationId)) {
      try {
        RequestTarget target = RequestTarget.of(request::getUri);
        answer = router.apply(new RouterHandover.Inbound(request.getHttpMethod().name(), target.origin(),
            target.pathAndQuery(), headers, request.getBody().orElse(null), invocationId, traceparent, tracestate,
            clientRequestId, keyVerified));
      } catch (ProblemException refused) {
        Problem problem = refused.problem();
        InvocationLog.log(LOG, Level.INFO, invocationId, traceparent, clientRequestId, Map.of(),
            RequestScope.logTag(invocationId, traceparent, clientRequestId) + " " + request.getHttpMethod()
                + " refused " + problem.status() + " " + problem.slug() + ": " + problem.detail(), null);
        answer = RouterHandover.problem(clientRequestId, problem);
      }
      publish(lines.drain(), context.getLogger());
    }
    HttpResponseMessage.Builder response = request.createResponseBuilder(HttpStatusType.custom(answer.status()));
    ResponseHeaders.reduce(answer.headers()).forEach(response::header);
    return response.body(answer.body()).build();
  }

  /** Into the worker's invocation logger, which sends each record to the host tagged with the invocation id. */
  private static void publish(List<InvocationLog.Line> lines, java.util.logging.Logger invocationLogger) {
    for (InvocationLog.Line line : lines) {
      LogRecord record = new LogRecord(switch (line.level()) {
        case ERROR -> java.util.logging.Level.SEVERE;
        case WARN -> java.util.logging.Level.WARNING;
        case INFO -> java.util.logging.Level.INFO;
        default -> java.util.logging.Level.FINE;
      }, line.message());
      record.setLoggerName(line.logger());
      record.setThrown(line.thrown());
      invocationLogger.log(record);
    }
  }
}
