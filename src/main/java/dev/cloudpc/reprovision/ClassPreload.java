package dev.cloudpc.reprovision;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Cold start (issue 14): loads, on a second thread, the library classes start-up and the first request need, while
 * the starting thread works through the same list in its own order; a class the starter reaches is then usually
 * loaded already. Start-up is otherwise one thread loading ~1,700 classes from the jar one after another with a
 * second core idle. Classes are loaded and linked, never initialised here (no static initialiser runs on this
 * thread, so no class-initialisation order changes and no lock cycle between the two threads is possible); a name
 * that no longer exists after a dependency upgrade is skipped. The list is {@value #LIST}, regenerated as
 * docs/performance.md says; a stale list costs only speed.
 */
public final class ClassPreload {
  static final String LIST = "META-INF/cloudpc-reprovision/preload-classes.txt";
  private static final AtomicBoolean STARTED = new AtomicBoolean();

  private ClassPreload() {
  }

  /** Starts the loading thread once per JVM; returns at once. */
  public static void start() {
    if (STARTED.compareAndSet(false, true)) {
      Thread thread = new Thread(ClassPreload::loadAll, "class-preload");
      thread.setDaemon(true);
      thread.start();
    }
  }

  private static void loadAll() {
    ClassLoader loader = ClassPreload.class.getClassLoader();
    try (InputStream list = loader.getResourceAsStream(LIST)) {
      if (list == null) {
        return;
      }
      BufferedReader names = new BufferedReader(new InputStreamReader(list, StandardCharsets.UTF_8));
      for (String name = names.readLine(); name != null; name = names.readLine()) {
        load(name.trim(), loader);
      }
    } catch (IOException e) {
      // Only speed is lost; the classes load on demand as without this thread.
    }
  }

  private static void load(String name, ClassLoader loader) {
    if (name.isEmpty() || name.startsWith("#")) {
      return;
    }
    try {
      Class.forName(name, false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      // Renamed or removed in a newer dependency, or not loadable here: it loads on demand or is never needed.
    }
  }
}
