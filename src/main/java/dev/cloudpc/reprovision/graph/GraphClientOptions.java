package dev.cloudpc.reprovision.graph;

import dev.cloudpc.reprovision.config.Settings;
import java.net.URI;

/** What {@link GraphClient} needs: where Graph is, which API version by default, and how many HTTP/1.1 connections. */
public record GraphClientOptions(URI baseUrl, String apiVersion, int maxConnections) {

  public static GraphClientOptions from(Settings settings) {
    return new GraphClientOptions(settings.graphBaseUrl(), settings.graphApiVersion(), settings.graphMaxConnections());
  }
}
