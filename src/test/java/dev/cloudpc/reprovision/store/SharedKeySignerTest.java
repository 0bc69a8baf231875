package dev.cloudpc.reprovision.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.config.Secret;
import dev.cloudpc.reprovision.config.StorageConnection;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

/**
 * Shared Key for the Table service as Learn's "Authorize with Shared Key" lays it out. The expected signature was
 * computed outside Java: {@code printf '<string to sign>' | openssl dgst -sha256 -mac HMAC -macopt hexkey:<key> | base64}.
 */
class SharedKeySignerTest {
  private static final SharedKeySigner DEV = new SharedKeySigner(StorageConnection.DEV_ACCOUNT,
      new Secret(StorageConnection.DEV_KEY));

  @Test
  void theStringToSignIsVerbMd5TypeDateAndTheAccountPrefixedPath() {
    // Path-style (emulator) URLs put the account in the path, so it appears twice in the canonicalized resource.
    assertThat(DEV.stringToSign("POST", "application/json", "Tue, 03 Jun 2008 11:05:30 GMT",
        "/devstoreaccount1/Tables"))
        .isEqualTo("POST\n\napplication/json\nTue, 03 Jun 2008 11:05:30 GMT\n/devstoreaccount1/devstoreaccount1/Tables");
    assertThat(new SharedKeySigner("myaccount", new Secret(StorageConnection.DEV_KEY)).stringToSign("DELETE", "",
        "Tue, 03 Jun 2008 11:05:30 GMT", "/mytable(PartitionKey='p',RowKey='r')"))
        .isEqualTo("DELETE\n\n\nTue, 03 Jun 2008 11:05:30 GMT\n/myaccount/mytable(PartitionKey='p',RowKey='r')");
  }

  @Test
  void theSignatureIsHmacSha256OfTheStringWithTheDecodedKey() {
    assertThat(DEV.authorization("POST", "application/json", "Tue, 03 Jun 2008 11:05:30 GMT",
        "/devstoreaccount1/Tables"))
        .isEqualTo("SharedKey devstoreaccount1:xbixQEQ01nfObLyYsJIfI0uebn3oJ/plPI0xrD+UMPI=");
  }

  @Test
  void xMsDateHasTwoDigitDaysInGmt() {
    assertThat(SharedKeySigner.date(ZonedDateTime.of(2008, 6, 3, 11, 5, 30, 0, ZoneOffset.UTC)))
        .isEqualTo("Tue, 03 Jun 2008 11:05:30 GMT");
  }
}
