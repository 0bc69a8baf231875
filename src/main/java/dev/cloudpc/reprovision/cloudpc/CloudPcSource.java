package dev.cloudpc.reprovision.cloudpc;

import dev.cloudpc.reprovision.request.RequestScope;
import io.vertx.core.Future;
import java.time.Instant;

/** Where status reads and polls get a Cloud PC from: a Graph read, or a recent view of the PCs under way. */
@FunctionalInterface
public interface CloudPcSource {

  /** The PC as Graph showed it to a read sent at or after {@code notBefore} ({@link CloudPc#readAt()}). */
  Future<CloudPc> cloudPc(String cloudPcId, Instant notBefore, RequestScope scope);
}
