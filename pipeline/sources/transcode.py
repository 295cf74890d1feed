"""Re-pack a dump once into independent zstd frames with an index, so later runs split the work.

`transcode(src, out)` reads a MediaWiki XML dump (bz2, zstd, gzip or plain, as
pipeline.sources.dump reads it) and writes `out` (`NAME.xml.zst`) as zstd frames end to end,
cut exactly where the XML is cut in a Wikimedia multistream dump:

* the first frame holds everything before the first <page> (the <mediawiki> header and
  <siteinfo>), each following frame `pages_per_frame` <page> elements (and the whitespace after
  them), the last frame the closing </mediawiki>;
* the frames decompressed one after the other are the dump's XML byte for byte, so any zstd
  reader (and `run --dump`) reads the file as one stream;
* every frame carries its size and a checksum, so a damaged frame is detected, not misread.

The index beside it (`NAME-index.txt.zst`, index_path_for) has the multistream index's lines,
"offset:page_id:title" per page, offset = the byte offset of the frame that holds the page, so
pipeline.sources.multistream.iter_multistream reads the frames on several processes, exactly as
it reads a bz2 multistream dump. Frame boundaries are found by the dump reader's locked-down
pyexpat parser (expat's byte index of each <page> start tag), never by pattern matching; pages
are the root's <page> children, as in a multistream block.

Both files are written under temporary names and renamed when complete: a failed transcode
(unreadable or malformed input) leaves no output, and raises TranscodeError with the reason.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

import zstandard
from defusedxml import DefusedXmlException

from pipeline.core.untrusted import clean_text
from pipeline.sources.dump import _chunks, _why, locked_parser
from pipeline.sources.multistream import index_path_for

PAGES_PER_FRAME = 100   # as Wikimedia's multistream dumps put 100 pages in a bz2 stream
LEVEL = 3               # zstd's default: fast to write; decompression speed hardly depends on it


class TranscodeError(ValueError):
    """The input could not be re-packed (unreadable, not a well-formed export)."""


@dataclass
class Transcoded:
    out: Path
    index: Path
    pages: int
    frames: int
    bytes_in: int       # bytes of XML
    bytes_out: int
    seconds: float

    def summary(self) -> str:
        return (f"{self.out}: {self.pages:,} pages in {self.frames:,} zstd frames, "
                f"{self.bytes_in / 1e6:,.1f} MB of XML -> {self.bytes_out / 1e6:,.1f} MB "
                f"({self.seconds:.1f} s); index {self.index}")


class _Cutter:
    """expat handlers noting where the root's <page> children start, their id and title, and
    where the root ends (byte offsets in the XML)."""

    def __init__(self, parser):
        self.parser = parser
        self.depth = 0
        self.starts: list[int] = []          # byte offset of each page's start tag
        self.meta: list[list] = []           # [page_id, title] of each page, as read
        self.root_end: int | None = None
        self._buf: list[str] | None = None
        self._field = -1
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end

    def _start(self, name, attrs):
        tag = name.rpartition("}")[2]
        self.depth += 1
        if self.depth == 2 and tag == "page":
            self.starts.append(self.parser.CurrentByteIndex)
            self.meta.append([None, None])
        elif self.depth == 3 and self.meta and (tag == "id" or tag == "title"):
            field = 0 if tag == "id" else 1
            if self.meta[-1][field] is None:
                self._buf, self._field = [], field
                self.parser.CharacterDataHandler = self._buf.append

    def _end(self, name):
        if self._buf is not None:
            self.meta[-1][self._field] = "".join(self._buf)[:1000]
            self._buf = None
            self.parser.CharacterDataHandler = None
        self.depth -= 1
        if self.depth == 0:
            self.root_end = self.parser.CurrentByteIndex


def _index_line(offset: int, meta: list) -> str:
    page_id, title = meta
    page_id = page_id.strip() if page_id and page_id.strip().isdigit() else ""
    title = clean_text(title or "").replace("\n", " ").replace("\r", " ")
    return f"{offset}:{page_id}:{title}\n"


def transcode(src: Path, out: Path, pages_per_frame: int = PAGES_PER_FRAME, level: int = LEVEL,
              threads: int | None = None) -> Transcoded:
    """Re-pack the dump `src` as `out` (zstd frames of pages_per_frame pages) and its index."""
    if pages_per_frame < 1:
        raise ValueError("pages_per_frame must be >= 1")
    t0 = time.perf_counter()
    src, out = Path(src), Path(out)
    index = index_path_for(out)
    tmp_out, tmp_index = out.with_name(out.name + ".tmp"), index.with_name(index.name + ".tmp")
    cctx = zstandard.ZstdCompressor(level=level, write_checksum=True)
    frames = pages = 0
    try:
        with open(src, "rb") as fin, open(tmp_out, "wb") as fout, open(tmp_index, "wb") as fidx, \
                zstandard.ZstdCompressor(level=9).stream_writer(fidx, closefd=False) as iw:
            parser = locked_parser()
            cut = _Cutter(parser)
            buf = bytearray()
            base = 0            # byte offset in the XML of buf[0]
            done = 0            # pages written
            header = True

            def frame(end: int) -> None:
                """Write buf up to XML offset `end` as one frame, with its pages' index lines."""
                nonlocal base, done, frames, header
                offset = fout.tell()
                fout.write(cctx.compress(bytes(buf[:end - base])))
                del buf[:end - base]
                base = end
                frames += 1
                lines = []
                while done < len(cut.starts) and cut.starts[done] < end:
                    lines.append(_index_line(offset, cut.meta[done]))
                    done += 1
                if lines:
                    iw.write("".join(lines).encode("utf-8", "surrogatepass"))
                header = False

            def ready() -> None:
                # the header ends where the first page starts; a page frame ends where the page
                # after its last one starts (all of its pages are closed by then)
                while True:
                    if header and cut.starts:
                        frame(cut.starts[0])
                    elif not header and len(cut.starts) > done + pages_per_frame:
                        frame(cut.starts[done + pages_per_frame])
                    else:
                        return

            chunks = _chunks(fin, threads=threads)
            try:
                for chunk in chunks:
                    buf += chunk
                    parser.Parse(chunk, False)
                    ready()
                parser.Parse(b"", True)
            except (DefusedXmlException, expat.ExpatError) as e:
                raise TranscodeError(f"{src}: not re-packed: {_why(e)}") from None
            except (OSError, EOFError, ValueError) as e:
                raise TranscodeError(f"{src}: not re-packed: cannot read it: {e}") from None
            finally:
                chunks.close()
            ready()
            if cut.root_end is None:  # pragma: no cover - expat refuses an unclosed root
                raise TranscodeError(f"{src}: not re-packed: no end of the <mediawiki> element")
            if header:  # no page at all: the header frame ends where the root does
                frame(cut.root_end)
            if done < len(cut.starts):
                frame(cut.root_end)
            pages = done
            if buf:
                frame(base + len(buf))   # </mediawiki> and what follows it
            bytes_in = base
            bytes_out = fout.tell()
            fout.flush()
            os.fsync(fout.fileno())
        tmp_out.replace(out)
        tmp_index.replace(index)
    except BaseException as e:
        for tmp in (tmp_out, tmp_index):
            tmp.unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise TranscodeError(f"not re-packed: {e.strerror or e}: {e.filename or src}") from None
        raise
    return Transcoded(out, index, pages, frames, bytes_in, bytes_out, round(time.perf_counter() - t0, 2))
