package dev.cloudpc.reprovision.support;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Base of every test class that runs Vert.x: one strict {@link Vertx} per class (see {@link BlockedThreadWatch}),
 * closed after the class, and the class fails if any event loop was blocked meanwhile.
 */
@ExtendWith(VertxExtension.class)
public abstract class StrictVertxTest {
  @RegisterExtension
  protected static final BlockedThreadWatch WATCH = new BlockedThreadWatch();

  protected static Vertx vertx;

  @BeforeAll
  static void strictVertx() {
    vertx = BlockedThreadWatch.strictVertx();
  }

  @AfterAll
  static void closeVertx() {
    Await.await(vertx.close());
  }
}
