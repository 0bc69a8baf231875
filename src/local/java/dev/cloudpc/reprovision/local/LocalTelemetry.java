package dev.cloudpc.reprovision.local;

import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.config.SettingsException;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What records the product's spans and metrics in the local host — where Azure's Application Insights agent is
 * missing: nothing unless asked (the API stays a no-op, as in a function app without the agent). {@code --sandbox}
 * prints one summary per request ({@link RequestSummaries}); {@value #OTLP_ENDPOINT} (OpenTelemetry's own variable,
 * e.g. {@code http://127.0.0.1:4318} for a local collector or Jaeger) also sends spans and metrics there over
 * OTLP/HTTP. The SDK and exporter live in the local jar only.
 */
final class LocalTelemetry {
  static final String OTLP_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT";
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  private final OpenTelemetry api;
  private final Runnable close;

  private LocalTelemetry(OpenTelemetry api, Runnable close) {
    this.api = api;
    this.close = close;
  }

  /**
   * @param summaries print a line per request to {@code out}
   * @throws SettingsException naming {@value #OTLP_ENDPOINT} when it is not a usable endpoint
   */
  static LocalTelemetry from(Map<String, String> env, boolean summaries, Consumer<String> out) {
    Optional<URI> otlp = endpoint(env.get(OTLP_ENDPOINT));
    if (!summaries && otlp.isEmpty()) {
      return new LocalTelemetry(OpenTelemetry.noop(), () -> { });
    }
    OpenTelemetrySdk sdk = Sdk.build(summaries ? Optional.of(out) : Optional.empty(), otlp);
    return new LocalTelemetry(sdk, sdk::close);
  }

  OpenTelemetry api() {
    return api;
  }

  /** Sends what is still batched and stops the exporters (at exit). */
  void close() {
    close.run();
  }

  private static Optional<URI> endpoint(String value) {
    return value == null || value.isBlank() ? Optional.empty()
        : Optional.of(Settings.endpoint(OTLP_ENDPOINT, value.trim()));
  }

  /** The SDK's classes load only when it is asked for: a plain local run starts as the function does. */
  private static final class Sdk {
    static OpenTelemetrySdk build(Optional<Consumer<String>> summaries, Optional<URI> otlp) {
      Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE_NAME,
          "cloudpc-reprovision-local")));
      SdkTracerProviderBuilder tracing = SdkTracerProvider.builder().setResource(resource);
      summaries.ifPresent(out -> tracing.addSpanProcessor(new RequestSummaries(out)));
      var builder = OpenTelemetrySdk.builder();
      if (otlp.isPresent()) {
        String base = otlp.get().toString().replaceAll("/+$", "");
        tracing.addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
            .setEndpoint(base + "/v1/traces").build()).build());
        builder.setMeterProvider(SdkMeterProvider.builder().setResource(resource).registerMetricReader(
            PeriodicMetricReader.create(OtlpHttpMetricExporter.builder().setEndpoint(base + "/v1/metrics").build()))
            .build());
      }
      return builder.setTracerProvider(tracing.build()).build();
    }
  }
}
