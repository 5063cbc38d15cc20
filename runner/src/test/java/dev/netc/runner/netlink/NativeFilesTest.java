package dev.netc.runner.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The C library's file calls the runner uses on the real {@code /etc/netns}: what they read and
 * write, and what they make of what is not a regular file. On the real file system (the calls
 * cannot reach an in-memory one), in a temporary folder; no root needed.
 */
class NativeFilesTest {
  @TempDir
  Path dir;

  @Test
  void writesAndReadsBackTextOfAnySize() throws IOException {
    assumeTrue(NativeFiles.usable(), "JNA binds the C library on Linux");
    String small = "# netc:shop:hosts:web\n10.0.0.2\tweb\n";
    // larger than one read (64 KiB) and than the first buffer: the chunks join in order
    StringBuilder big = new StringBuilder();
    for (int i = 0; big.length() < 300_000; i++) {
      big.append("10.64.").append(i / 250).append('.').append(i % 250).append("\tc").append(i).append(" é\n");
    }
    Path f = dir.resolve("hosts");
    NativeFiles.writeString(f.toString(), small);
    assertEquals(small, Files.readString(f));
    assertEquals(Optional.of(small), NativeFiles.readString(f.toString()));
    NativeFiles.writeString(f.toString(), big.toString());
    assertEquals(big.toString(), Files.readString(f, StandardCharsets.UTF_8), "truncated, then written whole");
    assertEquals(Optional.of(big.toString()), NativeFiles.readString(f.toString()));
    NativeFiles.writeString(f.toString(), "");
    assertEquals(Optional.of(""), NativeFiles.readString(f.toString()));
  }

  /** Told the content it should have, the read gives that very string when it is so, else what is there. */
  @Test
  void aFileWithTheExpectedContentReadsAsThatString() throws IOException {
    assumeTrue(NativeFiles.usable(), "JNA binds the C library on Linux");
    Path f = dir.resolve("hosts");
    String wanted = new String("# netc:shop:hosts:web\n10.0.0.2\tweb é\n");
    NativeFiles.writeString(f.toString(), wanted);
    assertTrue(NativeFiles.readString(f.toString(), wanted).orElseThrow() == wanted, "the same instance");
    String other = "# netc:shop:hosts:web\n10.0.0.3\tweb é\n";
    String read = NativeFiles.readString(f.toString(), other).orElseThrow();
    assertEquals(wanted, read);
    assertTrue(read != other && read != wanted, "decoded: a string of its own");
    assertEquals(wanted, NativeFiles.readString(f.toString(), wanted + "x").orElseThrow(), "longer than the file");
    assertEquals(wanted, NativeFiles.readString(f.toString(), wanted.substring(0, 10)).orElseThrow(), "a prefix is not the content");
  }

  /**
   * The comparison without encoding: equal ASCII text; bytes that only look like a text's
   * characters (Latin-1 bytes against the same characters, the low bytes of characters beyond
   * Latin-1) are not it; UTF-8 text of more bytes than characters is compared encoded.
   */
  @Test
  void bytesAreComparedWithTheTextTheyShouldBe() {
    byte[] ascii = "10.0.0.2\tweb\n".getBytes(StandardCharsets.US_ASCII);
    assertTrue(NativeFiles.same(ascii, ascii.length, "10.0.0.2\tweb\n"));
    assertFalse(NativeFiles.same(ascii, ascii.length, "10.0.0.3\tweb\n"));
    assertTrue(NativeFiles.same(ascii, ascii.length - 1, "10.0.0.2\tweb"), "the first n bytes");
    byte[] latin1 = "web \u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
    assertFalse(NativeFiles.same(latin1, latin1.length, "web \u00e9\n"), "one byte 0xe9 is not UTF-8 for \u00e9");
    byte[] low = {'a', 0x41};
    assertFalse(NativeFiles.same(low, 2, "a\u0141"), "U+0141's low byte is 0x41");
    byte[] utf8 = "web \u00e9 \u20ac\n".getBytes(StandardCharsets.UTF_8);
    assertTrue(NativeFiles.same(utf8, utf8.length, "web \u00e9 \u20ac\n"));
    assertFalse(NativeFiles.same(utf8, utf8.length, "web \u00e8 \u20ac\n"));
    byte[] big = "x".repeat(200_000).getBytes(StandardCharsets.US_ASCII);
    assertTrue(NativeFiles.same(big, big.length, "x".repeat(200_000)), "larger than the kept buffer");
    assertFalse(NativeFiles.same(big, big.length, "x".repeat(199_999) + "y"));
  }

  @Test
  @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aMissingFileIsNoneAndAFolderOrPipeReadsAsEmpty() throws Exception {
    assumeTrue(NativeFiles.usable(), "JNA binds the C library on Linux");
    assertEquals(Optional.empty(), NativeFiles.readString(dir.resolve("nothing").toString()));
    assertEquals(Optional.empty(), NativeFiles.readString(dir.resolve("nothing/hosts").toString()));
    Files.createDirectory(dir.resolve("sub"));
    assertEquals(Optional.of(""), NativeFiles.readString(dir.resolve("sub").toString()));
    Path fifo = dir.resolve("fifo");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assumeTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo makes a pipe");
    // no writer: a blocking open would wait for one forever
    assertEquals(Optional.of(""), NativeFiles.readString(fifo.toString()));
    // no reader: a blocking open would wait for one forever; without blocking, it fails
    IOException e = assertThrows(IOException.class, () -> NativeFiles.writeString(fifo.toString(), "x\n"));
    assertEquals("No such device or address", e.getMessage());
    // a device never ends: it is not read at all (nor a symbolic link to one)
    assertEquals(Optional.of(""), NativeFiles.readString("/dev/zero"));
    Files.createSymbolicLink(dir.resolve("zero"), Path.of("/dev/zero"));
    assertEquals(Optional.of(""), NativeFiles.readString(dir.resolve("zero").toString()));
  }

  @Test
  void bytesThatAreNotUtf8AreRefusedAndAReplacementCharacterIsNot() throws IOException {
    assumeTrue(NativeFiles.usable(), "JNA binds the C library on Linux");
    Path latin = dir.resolve("latin1");
    Files.write(latin, new byte[] {'c', 'a', 'f', (byte) 0xe9, '\n'});
    IOException e = assertThrows(IOException.class, () -> NativeFiles.readString(latin.toString()));
    assertEquals("not UTF-8 text", e.getMessage());
    Path written = dir.resolve("replacement");
    Files.writeString(written, "a \uFFFD b\n");
    assertEquals(Optional.of("a \uFFFD b\n"), NativeFiles.readString(written.toString()));
  }

  @Test
  void foldersAreMadeOnceAndAFileInTheWayIsNamed() throws IOException {
    assumeTrue(NativeFiles.usable(), "JNA binds the C library on Linux");
    Path sub = dir.resolve("ns");
    NativeFiles.mkdir(sub.toString());
    NativeFiles.mkdir(sub.toString());
    assertTrue(Files.isDirectory(sub));
    Path taken = dir.resolve("taken");
    Files.writeString(taken, "a file where a folder should be\n");
    NativeFiles.mkdir(taken.toString()); // it exists: mkdir says no more
    IOException e = assertThrows(IOException.class, () -> NativeFiles.writeString(taken.resolve("hosts").toString(), "x"));
    assertTrue(NativeFiles.notAFolder(e), e.getMessage());
    assertEquals("Not a directory", e.getMessage());
    IOException missing = assertThrows(IOException.class, () -> NativeFiles.mkdir(dir.resolve("a/b").toString()));
    assertEquals("No such file or directory", missing.getMessage());
  }
}
