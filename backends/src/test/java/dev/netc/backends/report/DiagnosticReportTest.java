package dev.netc.backends.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Long quoted values in messages are shortened for people, whole for machines. */
class DiagnosticReportTest {
  @Test
  void aLongQuotedValueShowsItsEndsAndLength() {
    String name = "a".repeat(59) + "b" + "c".repeat(1000) + "d" + "e".repeat(19);
    assertEquals("network name `" + "a".repeat(59) + "b\u2026d" + "e".repeat(19) + "` (1080 characters) is too long",
        DiagnosticReport.shorten("network name `" + name + "` is too long"));
  }

  @Test
  void valuesUpToTheLimitAndTextOutsideQuotesStayWhole() {
    String edge = "x".repeat(DiagnosticReport.LONGEST_QUOTED);
    String s = "unknown network `" + edge + "`; declared: `a`, `b` " + "y".repeat(500);
    assertEquals(s, DiagnosticReport.shorten(s));
  }

  @Test
  void charactersOutsideTheBasicPlaneAreNotCut() {
    String smile = "\uD83D\uDE00";
    String name = smile.repeat(200);
    String shown = DiagnosticReport.shorten("`" + name + "`");
    assertEquals("`" + smile.repeat(60) + "\u2026" + smile.repeat(20) + "` (200 characters)", shown);
  }

  @Test
  void longTextBetweenTwoQuotedValuesIsNoQuotedValue() {
    String s = "keep `hostNetwork: true` " + "and reach the pod through a Service, ".repeat(5) + "or set `policyTypes`";
    assertEquals(s, DiagnosticReport.shorten(s));
  }

  @Test
  void aLongValueWithABackquoteOfItsOwnIsShortenedToo() {
    String name = "x`" + "y".repeat(5000);
    String shown = DiagnosticReport.shorten("unknown network `" + name + "` here");
    assertEquals("unknown network `x`" + "y".repeat(60) + "\u2026" + "y".repeat(20) + " (5000 characters)` here", shown);
  }
}
