package dev.cloudpc.reprovision.connector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.http.ApiRoutes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's routes table is what a newcomer reads first, so it must name exactly the routes of {@link ApiRoutes}:
 * one row per route, method in the first column and the path in the second, {@code {param}} where the router has
 * {@code :param}. Surefire runs from the project root, where the README lives.
 */
class ReadmeRoutesTest {
  private static final Path README = Path.of("README.md");

  @Test
  void routesTableListsExactlyTheRoutesOfApiRoutes() throws IOException {
    List<String> inReadme = routeRows(Files.readAllLines(README, StandardCharsets.UTF_8));

    List<String> inRouter = ApiRoutes.ALL.stream().map(r -> r.method().name() + " " + r.path()).toList();
    assertThat(inReadme).as("rows of the README's routes table").doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(inRouter);
  }

  /** "METHOD /api/path/:param" for each row of the table under "## Routes" whose first cell is an HTTP method. */
  private static List<String> routeRows(List<String> lines) {
    int start = lines.indexOf("## Routes");
    assertThat(start).as("README has a '## Routes' section").isNotNegative();
    return lines.stream().skip(start + 1L)
        .takeWhile(line -> !line.startsWith("## "))
        .filter(line -> line.startsWith("|"))
        .map(line -> line.split("\\|"))
        .filter(cells -> cells.length > 2 && cells[1].trim().matches("[A-Z]+"))
        .map(cells -> cells[1].trim() + " " + cells[2].replace("`", "").trim().replaceAll("\\{([A-Za-z]+)}", ":$1"))
        .toList();
  }
}
