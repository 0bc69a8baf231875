package dev.cloudpc.reprovision.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The small pure parts, without servers. */
class SandboxUnitsTest {

  @Test
  void faultPlanPrefersQueuedThenPermanentThenRandom() {
    FaultPlan plan = new FaultPlan()
        .random("*", ".*", 1.0, Fault.delay(Duration.ofMillis(1)), 7)
        .always("get", "/beta/.*", Fault.status(503, "ServiceUnavailable"))
        .next("GET", "/beta/x", Fault.reset())
        .next("GET", "/beta/x", Fault.executeThenReset());

    assertThat(plan.pick("GET", "/beta/x")).contains(Fault.reset());
    assertThat(plan.pick("GET", "/beta/x")).contains(Fault.executeThenReset());
    assertThat(plan.pick("GET", "/beta/x")).contains(Fault.status(503, "ServiceUnavailable"));
    assertThat(plan.pick("POST", "/beta/x")).contains(Fault.delay(Duration.ofMillis(1)));
    assertThat(plan.pick("GET", "/beta/x/y")).as("whole path must match").isPresent();
    assertThat(plan.clear().pick("GET", "/beta/x")).isEmpty();
  }

  @Test
  void upnFilterParsesTheOneSupportedForm() {
    assertThat(UpnFilter.parse("userPrincipalName eq 'a@b.c'")).contains("a@b.c");
    assertThat(UpnFilter.parse("  userprincipalname EQ 'o''brien@b.c' ")).contains("o'brien@b.c");
    assertThat(UpnFilter.parse("userPrincipalName eq 'a' or 1 eq 1")).isEmpty();
    assertThat(UpnFilter.parse("userPrincipalName eq 'unterminated")).isEmpty();
    assertThat(UpnFilter.parse(null)).isEmpty();
  }

  @Test
  void reprovisionBodyIsStrict() {
    assertThat(ReprovisionBody.parse(Buffer.buffer())).isEqualTo(ReprovisionBody.EMPTY);
    assertThat(ReprovisionBody.parse(Buffer.buffer("{}"))).isEqualTo(ReprovisionBody.EMPTY);
    assertThat(ReprovisionBody.parse(Buffer.buffer("{\"osVersion\":\"windows10\",\"userAccountType\":null}")))
        .isEqualTo(new ReprovisionBody("windows10", null));
    for (String bad : new String[] {"[1]", "{\"osVersion\":\"Windows11\"}", "{\"userAccountType\":1}",
        "{\"extra\":1}", "not json"}) {
      assertThatThrownBy(() -> ReprovisionBody.parse(Buffer.buffer(bad))).as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void generatedIdsRoundTrip() {
    assertThat(SandboxSeed.extraPcIndex(SandboxSeed.extraCloudPcId(99_999))).isEqualTo(OptionalInt.of(99_999));
    assertThat(SandboxSeed.extraUserIndex(SandboxSeed.extraUser(5).id())).isEqualTo(OptionalInt.of(5));
    assertThat(SandboxSeed.extraUserIndex("bench-user-5@contoso.sandbox")).isEqualTo(OptionalInt.of(5));
    assertThat(SandboxSeed.extraUserIndex("bench-user-05@contoso.sandbox")).isEmpty();
    assertThat(SandboxSeed.extraPcIndex(SandboxSeed.ADELE_CLOUD_PCS.get(0))).isEmpty();
  }

  @Test
  void remoteActionStateFollowsTheClock() {
    Instant start = Instant.parse("2025-01-01T00:00:00Z");
    SimulatedRebuild ok = new SimulatedRebuild("pc", "md", start, start.plusSeconds(10), null);
    SimulatedRebuild bad = new SimulatedRebuild("pc", "md", start, start.plusSeconds(10),
        new SimulatedRebuild.Ending("failed", new StatusDetail("c", "m")));
    SimulatedRebuild canceled = new SimulatedRebuild("pc", "md", start, start.plusSeconds(10),
        new SimulatedRebuild.Ending("canceled", null));

    assertThat(ok.stateAt(start)).isEqualTo("pending");
    assertThat(ok.stateAt(start.plusSeconds(5))).isEqualTo("active");
    assertThat(ok.stateAt(start.plusSeconds(10))).isEqualTo("done");
    assertThat(bad.stateAt(start.plusSeconds(11))).isEqualTo("failed");
    assertThat(bad.toJson(start.plusSeconds(11)).getJsonObject("statusDetail").getString("code")).isEqualTo("c");
    assertThat(ok.toJson(start.plusSeconds(5)).getValue("statusDetail")).isNull();
    assertThat(canceled.stateAt(start.plusSeconds(11))).isEqualTo("canceled");
    assertThat(canceled.failedAt(start.plusSeconds(11))).isFalse();
  }

  @Test
  void storeStartsOneRebuildAtATime() {
    CloudPcStore store = new CloudPcStore(new SandboxDirectory(0, Instant.now()), Duration.ofMinutes(1));
    String pc = SandboxSeed.ADELE_CLOUD_PCS.get(0);

    assertThat(store.startReprovision(pc, "windows10", null).kind()).isEqualTo(CloudPcStore.Start.Kind.STARTED);
    assertThat(store.startReprovision(pc, null, null).kind()).isEqualTo(CloudPcStore.Start.Kind.BUSY);
    assertThat(store.startReprovision("nope", null, null).kind()).isEqualTo(CloudPcStore.Start.Kind.NOT_FOUND);
    assertThat(store.view(pc).map(CloudPcView::osVersion)).isEqualTo(Optional.of("windows10"));
    assertThat(store.actions(pc.toUpperCase())).hasSize(1);
  }
}
