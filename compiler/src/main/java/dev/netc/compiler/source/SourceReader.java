package dev.netc.compiler.source;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads a source file as strict UTF-8 text. A file that is not text gets a positioned diagnostic
 * (NETC004) at its first bad byte, never a decoding exception.
 */
public final class SourceReader {
  private SourceReader() {}

  /** A file's text, or the diagnostic that says why it has none. */
  public record Read(Optional<SourceFile> file, Optional<Diagnostic> problem) {}

  /**
   * The largest source file netc reads: 64 MiB (a topology of 100,000 containers is some 4 MB).
   * A larger one, or one that never ends ({@code /dev/zero}), would only exhaust the memory.
   */
  public static final long MAX_BYTES = 64L << 20;

  /**
   * Reads {@code path}; throws only {@link IOException} for files that cannot be read, with a
   * reason {@link #reason} gives: a folder, something that is not a regular file (a pipe, which would block
   * the read until a writer came, a device, a socket: never opened), a file over {@link
   * #MAX_BYTES}.
   */
  public static Read read(Path path, String displayPath) throws IOException {
    java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class);
    if (a.isDirectory()) {
      throw new java.nio.file.FileSystemException(path.toString(), null, "a folder, not a file");
    }
    if (!a.isRegularFile()) {
      throw new java.nio.file.FileSystemException(path.toString(), null, "not a regular file (a pipe, a device or a socket)");
    }
    if (a.size() > MAX_BYTES) {
      throw tooLarge(path, a.size());
    }
    byte[] bytes;
    try (java.io.InputStream in = Files.newInputStream(path)) {
      // bounded: a file that grows while it is read stops at the limit too
      bytes = in.readNBytes((int) MAX_BYTES + 1);
    }
    if (bytes.length > MAX_BYTES) {
      throw tooLarge(path, bytes.length);
    }
    return decode(bytes, displayPath);
  }

  private static IOException tooLarge(Path path, long size) {
    return new java.nio.file.FileSystemException(path.toString(), null, "too large: " + (size >> 20)
        + " MiB, and netc reads topology files of at most " + (MAX_BYTES >> 20) + " MiB");
  }

  public static Read decode(byte[] bytes, String displayPath) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    CoderResult r = decoder.decode(in, out, true);
    if (!r.isError()) {
      r = decoder.flush(out);
    }
    out.flip();
    String text = out.toString();
    if (r.isError()) {
      SourceFile partial = new SourceFile(displayPath, text);
      Span at = Span.at(partial, text.length());
      return new Read(Optional.empty(), Optional.of(Diagnostic.of(Code.NETC004, at,
              "the file is not UTF-8 text: byte " + (in.position() + 1) + " (0x"
                  + String.format("%02x", bytes[in.position()] & 0xff) + ") is not valid here")
          .withHint("save the file as UTF-8")));
    }
    int nul = text.indexOf('\0');
    if (nul >= 0) {
      SourceFile partial = new SourceFile(displayPath, text.substring(0, nul));
      return new Read(Optional.empty(), Optional.of(Diagnostic.of(Code.NETC004,
              Span.at(partial, nul), "the file holds a NUL byte, so it is binary, not a topology")
          .withHint("check that the right file was named")));
    }
    return new Read(Optional.of(new SourceFile(displayPath, text)), Optional.empty());
  }

  /** A one-line reason for an I/O failure, for the CLI and import diagnostics. */
  public static String reason(IOException e) {
    if (String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("too many levels of symbolic links")) {
      return "a loop of symbolic links";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
      return fse.getReason().equals("Is a directory") ? "a folder, not a file" : fse.getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

}
