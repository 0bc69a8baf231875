package dev.cloudpc.reprovision;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cold-start class list stays current: its names still exist after dependency upgrades. */
class ClassPreloadTest {

  @Test
  void theListNamesClassesThatStillExist() throws IOException {
    List<String> names = names();
    List<String> missing = names.stream().filter(name -> !exists(name)).toList();
    assertThat(names).hasSizeGreaterThan(1_000);
    assertThat(missing)
        .as("classes in %s that no longer exist: regenerate it as docs/performance.md (Cold start) says",
            ClassPreload.LIST)
        .hasSizeLessThan(names.size() / 20);
  }

  private static List<String> names() throws IOException {
    try (InputStream list = ClassPreload.class.getClassLoader().getResourceAsStream(ClassPreload.LIST)) {
      assertThat(list).isNotNull();
      return new String(list.readAllBytes(), StandardCharsets.UTF_8).lines()
          .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
    }
  }

  private static boolean exists(String name) {
    try {
      Class.forName(name, false, ClassPreload.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
