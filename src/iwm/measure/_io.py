"""Reading respondents' files and writing scored ones. The only module of ``iwm.measure`` that
touches files.

Questionnaire answers are sensitive: nothing here writes anywhere but the output path the user
named (through a temporary file beside it, renamed into place), and nothing is cached or logged.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Literal, cast

import numpy as np
import pandas as pd
from openpyxl.utils.exceptions import IllegalCharacterError

from iwm._errors import InputError, ParameterError
from iwm._files import atomic_write
from iwm._yaml import read_yaml
from iwm.measure._scoring import ResponseTable

#: Default limits on an input file; a larger file is refused with a message naming the option.
DEFAULT_MAX_ROWS = 1_000_000
DEFAULT_MAX_BYTES = 100 * 1024 * 1024

#: Limits on an Excel workbook, checked before its sheet is loaded (a few kilobytes of xlsx can
#: declare millions of rows or expand to gigabytes of XML).
XLSX_MAX_COLUMNS = 2_048
XLSX_MAX_CELLS = 50_000_000
XLSX_SPARE_ROWS = 1_000
"""Rows a sheet may hold beyond ``max_rows`` respondents: a header, titles, blank rows."""
XLSX_MAX_UNCOMPRESSED = 1024 * 1024 * 1024
XLSX_MAX_RATIO = 20
"""The workbook's XML may be at most this many times ``max_bytes`` (and XLSX_MAX_UNCOMPRESSED)."""
XLSX_MAX_MEMBERS = 10_000

TEXT_SUFFIXES = {".csv": ",", ".tsv": "\t", ".tab": "\t"}
SUFFIXES = (*TEXT_SUFFIXES, ".xlsx", ".parquet")


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(str(path), f"unknown file type {suffix or '(no suffix)'!r}; use one of {', '.join(SUFFIXES)}")
    return suffix


def _check_options(encoding: str | None, max_rows: int, max_bytes: int) -> str | None:
    """The reading limits checked, and the encoding's canonical name."""
    if not isinstance(max_rows, int) or max_rows < 1:
        raise ParameterError("max_rows", "a whole number >= 1", max_rows)
    if not isinstance(max_bytes, int) or max_bytes < 1:
        raise ParameterError("max_bytes", "a whole number >= 1", max_bytes)
    if encoding is None:
        return None
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ParameterError("encoding", "a known text encoding (e.g. cp1252, latin-1)", encoding) from None


def read_responses(
    path: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ResponseTable:
    """Read a respondents' file (CSV, TSV, Excel xlsx or Parquet) without changing any cell.

    Text files are read as text, every cell kept as the exact string in the file, and must be
    UTF-8 (a UTF-8 or UTF-16 byte-order mark is honoured) unless ``encoding`` names another
    encoding; undecodable bytes are an error naming row and column, never guessed. Excel: the
    first sheet, header in its first non-empty row. A file over ``max_bytes`` or with more than
    ``max_rows`` respondents is refused.
    """
    encoding = _check_options(encoding, max_rows, max_bytes)
    p = Path(path)
    name = str(path)
    suffix = _kind(p)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise InputError(name, f"cannot read: {exc.strerror or exc}") from None
    if not p.is_file():
        raise InputError(name, "not a file")
    if size > max_bytes:
        raise InputError(name, f"{size:,} bytes, over the limit of {max_bytes:,} bytes (raise it with --max-bytes)")
    if size == 0:
        raise InputError(f"{name}, row 1", "the file is empty (no header row)")
    if suffix in TEXT_SUFFIXES:
        try:
            raw = p.read_bytes()
        except OSError as exc:
            raise InputError(name, f"cannot read: {exc.strerror or exc}") from None
        return _read_text(raw, name, TEXT_SUFFIXES[suffix], encoding, max_rows)
    if suffix == ".xlsx":
        return _read_xlsx(p, name, max_rows, max_bytes)
    return _read_parquet(p, name, max_rows)


def read_responses_bytes(
    data: bytes,
    name: str,
    *,
    encoding: str | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ResponseTable:
    """Read a respondents' file held in memory (an upload), exactly as :func:`read_responses`
    reads one on disk; ``name`` (the file's name) gives its type by suffix and names it in
    errors. Nothing is written anywhere."""
    encoding = _check_options(encoding, max_rows, max_bytes)
    suffix = _kind(Path(name))
    if len(data) > max_bytes:
        raise InputError(name, f"{len(data):,} bytes, over the limit of {max_bytes:,} bytes")
    if not data:
        raise InputError(f"{name}, row 1", "the file is empty (no header row)")
    if suffix in TEXT_SUFFIXES:
        return _read_text(data, name, TEXT_SUFFIXES[suffix], encoding, max_rows)
    if suffix == ".xlsx":
        return _read_xlsx(io.BytesIO(data), name, max_rows, max_bytes)
    return _read_parquet(io.BytesIO(data), name, max_rows)


def _decode(raw: bytes, name: str, delimiter: str, encoding: str | None) -> tuple[str, str]:
    if encoding is None:
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16"
        elif raw.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        else:
            encoding = "utf-8"
        if encoding.startswith("utf-8") and b"\x00" in raw:
            row = raw[: raw.index(b"\x00")].count(b"\n") + 1
            raise InputError(
                f"{name}, row {row}",
                "contains NUL bytes, so it is not UTF-8 text (a spreadsheet saved "
                "under a text name, or UTF-16 without a byte-order mark: then pass "
                "--encoding utf-16)",
            )
    try:
        return raw.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        prefix = raw[line_start : exc.start].decode(encoding, errors="replace")
        header = raw[: raw.find(b"\n") if b"\n" in raw else len(raw)]
        column = _column_at(header.decode(encoding, errors="replace"), prefix, delimiter)
        raise InputError(
            f"{name}, row {row}, column {column}",
            f"byte 0x{raw[exc.start]:02x} is not valid {encoding}; save the file as UTF-8 or "
            "name its encoding with --encoding (e.g. --encoding cp1252)",
        ) from None


def _column_at(header: str, prefix: str, delimiter: str) -> str:
    """Header name of the field in which a line ``prefix`` ends (best effort: ``?``)."""
    try:
        names = next(csv.reader([header.rstrip("\r")], delimiter=delimiter), [])
        fields = next(csv.reader([prefix.rstrip("\r")], delimiter=delimiter), [""])
    except csv.Error:
        return "?"
    index = max(len(fields) - 1, 0)
    return names[index] if index < len(names) else f"#{index + 1}"


def _read_text(raw: bytes, name: str, delimiter: str, encoding: str | None, max_rows: int) -> ResponseTable:
    text, used = _decode(raw, name, delimiter, encoding)
    if not text.strip():
        raise InputError(f"{name}, row 1", "the file is empty (no header row)")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    header_row = 1
    records: list[list[str]] = []
    rows: list[int] = []
    line = 0
    try:
        for record in reader:
            start, line = line + 1, reader.line_num
            if not record or (len(record) == 1 and not record[0].strip()):
                continue  # blank line: not a respondent
            if header is None:
                header, header_row = record, start
                _check_header(header, name, start)
                continue
            if len(record) != len(header):
                # A missing or extra separator shifts every later answer of the row, so the row
                # cannot be read safely even leniently.
                index = min(len(record), len(header))
                column = header[index] if index < len(header) else f"#{index + 1}"
                raise InputError(
                    f"{name}, row {start}, column {column}",
                    f"{len(record)} fields, but the header has {len(header)} columns (a missing or extra separator?)",
                )
            if len(records) == max_rows:
                raise InputError(
                    f"{name}, row {start}", f"more than {max_rows:,} respondents, the limit (raise it with --max-rows)"
                )
            records.append(record)
            rows.append(start)
    except csv.Error as exc:
        raise InputError(f"{name}, row {reader.line_num}", f"unreadable text: {exc}") from None
    assert header is not None  # the text is not blank, so some record was read
    data = pd.DataFrame(records, columns=header, dtype=object)
    return ResponseTable(
        data=data, source=name, rows=np.asarray(rows, dtype=np.int64), header_row=header_row, encoding=used
    )


def _check_header(header: Sequence[object], name: str, row: int | None) -> None:
    seen: dict[str, int] = {}
    for i, column in enumerate(header):
        key = str(column)
        if key in seen:
            where = f"{name}, row {row}" if row is not None else name
            raise InputError(
                f"{where}, column {key}", f"column name appears twice (columns {seen[key] + 1} and {i + 1})"
            )
        seen[key] = i


def _check_xlsx_archive(source: Path | io.BytesIO, name: str, max_bytes: int) -> None:
    """Refuse a workbook whose archive would expand too far, before anything is decompressed."""
    import zipfile

    limit = min(XLSX_MAX_UNCOMPRESSED, XLSX_MAX_RATIO * max_bytes)
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError(name, f"not a readable xlsx workbook ({type(exc).__name__})") from None
    finally:
        if isinstance(source, io.BytesIO):
            source.seek(0)
    if len(members) > XLSX_MAX_MEMBERS:
        raise InputError(name, f"the workbook holds {len(members):,} parts, over the limit of {XLSX_MAX_MEMBERS:,}")
    total = sum(m.file_size for m in members)
    if total > limit:
        biggest = max(members, key=lambda m: m.file_size)
        raise InputError(
            name,
            f"the workbook expands to {total:,} bytes of XML ({biggest.filename}: {biggest.file_size:,}), over the "
            f"limit of {limit:,} bytes (raise it with --max-bytes)",
        )


def _check_xlsx_dimension(sheet: Any, name: str, row_limit: int) -> None:
    """Refuse a sheet whose declared dimension (``<dimension ref="A1:Z50000000">``) is too large."""
    rows, columns = sheet.max_row, sheet.max_column
    declared = f"the sheet declares {rows or 0:,} rows x {columns or 0:,} columns"
    if columns is not None and columns > XLSX_MAX_COLUMNS:
        raise InputError(name, f"{declared}, over the limit of {XLSX_MAX_COLUMNS:,} columns")
    if rows is not None and rows > row_limit:
        raise InputError(name, f"{declared}, over the limit of {row_limit:,} rows (raise it with --max-rows)")
    if rows is not None and columns is not None and rows * columns > XLSX_MAX_CELLS:
        raise InputError(name, f"{declared}: {rows * columns:,} cells, over the limit of {XLSX_MAX_CELLS:,}")


def _read_xlsx(path: Path | io.BytesIO, name: str, max_rows: int, max_bytes: int = DEFAULT_MAX_BYTES) -> ResponseTable:
    """The first sheet, read in read-only mode after the workbook's size and the sheet's declared
    dimension are checked; rows, columns and cells are checked again while the rows stream in
    (a declared dimension can lie)."""
    import openpyxl

    header: list[str] | None = None
    records: list[list[object]] = []
    rows: list[int] = []
    header_row = 1
    row_limit = max_rows + XLSX_SPARE_ROWS
    _check_xlsx_archive(path, name, max_bytes)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a damaged workbook raises many kinds (zip, XML, key errors)
        raise InputError(name, f"not a readable xlsx workbook ({type(exc).__name__})") from None
    try:
        if not workbook.worksheets:
            raise InputError(name, "the workbook has no sheet")
        sheet = workbook.worksheets[0]
        _check_xlsx_dimension(sheet, name, row_limit)
        # Stream the rows the sheet holds: a declared dimension would pad every row and the sheet
        # to its size, or cut rows beyond it.
        sheet.reset_dimensions()
        cells_seen = 0
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > row_limit:
                raise InputError(
                    f"{name}, row {number:,}",
                    f"the sheet has rows beyond row {row_limit:,}, the limit (raise it with --max-rows)",
                )
            if len(values) > XLSX_MAX_COLUMNS:
                raise InputError(
                    f"{name}, row {number}", f"{len(values):,} columns, over the limit of {XLSX_MAX_COLUMNS:,}"
                )
            cells_seen += len(values)
            if cells_seen > XLSX_MAX_CELLS:
                raise InputError(f"{name}, row {number}", f"more than {XLSX_MAX_CELLS:,} cells, the limit")
            cells = list(values)
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
                continue
            if header is None:
                while cells and cells[-1] is None:
                    cells.pop()
                if any(c is None for c in cells):
                    gap = cells.index(None)
                    raise InputError(
                        f"{name}, row {number}, column #{gap + 1}", "empty header cell between named columns"
                    )
                header = [str(c) for c in cells]
                header_row = number
                _check_header(list(header), name, number)
                continue
            extra = [v for v in cells[len(header) :] if v is not None]
            if extra:
                raise InputError(
                    f"{name}, row {number}, column #{len(header) + 1}", "a value outside the header's columns"
                )
            if len(records) == max_rows:
                raise InputError(
                    f"{name}, row {number}", f"more than {max_rows:,} respondents, the limit (raise it with --max-rows)"
                )
            cells = cells[: len(header)] + [None] * (len(header) - len(cells))
            records.append(cells)
            rows.append(number)
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged sheet; report, never crash
        raise InputError(name, f"not a readable xlsx workbook ({type(exc).__name__})") from None
    finally:
        workbook.close()
    if header is None:
        raise InputError(f"{name}, row 1", "the first sheet is empty (no header row)")
    data = pd.DataFrame(records, columns=header, dtype=object)
    return ResponseTable(data=data, source=name, rows=np.asarray(rows, dtype=np.int64), header_row=header_row)


def _read_parquet(path: Path | io.BytesIO, name: str, max_rows: int) -> ResponseTable:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        n = parquet.metadata.num_rows
        if n > max_rows:
            raise InputError(
                f"{name}, row {max_rows + 1}",
                f"{n:,} respondents, more than the limit of {max_rows:,} (raise it with --max-rows)",
            )
        names = [str(c) for c in parquet.schema_arrow.names]
        _check_header(list(names), name, None)
        data = parquet.read().to_pandas()
    except InputError:
        raise
    except (pa.ArrowException, OSError, ValueError, TypeError, KeyError) as exc:
        raise InputError(name, f"not a readable Parquet file ({type(exc).__name__})") from None
    data.columns = names
    data = data.reset_index(drop=True)
    return ResponseTable(data=data, source=name, rows=np.arange(1, len(data) + 1), header_row=None)


def read_mapping(path: str | os.PathLike[str]) -> dict[str | int, str]:
    """Read a column mapping (YAML): canonical item name or item number -> the file's column.

    For example ``ecr_r_01: Q7`` or ``1: Q7``; every item of the instrument must be named.
    """
    name = str(path)
    loaded = read_yaml(path)  # limits on size, aliases and depth; a FIFO or device is refused
    if not isinstance(loaded, dict) or not loaded:
        raise InputError(name, "must be a YAML mapping of item (e.g. ecr_r_01 or 1) to the file's column name")
    mapping: dict[str | int, str] = {}
    for key, value in loaded.items():
        if not isinstance(key, (str, int)) or isinstance(key, bool):
            raise InputError(f"{name}, key {key!r}", "an item name or number")
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise InputError(f"{name}, key {key!r}", f"the column name must be text; got {value!r}")
        mapping[key] = str(value)
    return mapping


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def _parquet_ready(table: pd.DataFrame) -> pd.DataFrame:
    # Arrow needs one type per column: spreadsheet columns mixing numbers and text become text.
    out = table.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype == object:
            kinds = {type(v) for v in series if v is not None and not (isinstance(v, float) and math.isnan(v))}
            if len(kinds) > 1 or (kinds and not kinds <= {str}):
                out[column] = series.map(lambda v: None if v is None else str(v))
    return out


_FORMULA_FIRST = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _quoted(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_FIRST) and _PLAIN_NUMBER.fullmatch(value) is None:
        return "'" + value
    return value


def _quote_column(series: pd.Series) -> pd.Series:
    dtype = series.dtype
    if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        return series  # numbers stay numbers
    try:
        first = series.astype(object).str[:1]  # fast screen; non-text cells give NaN
    except AttributeError:
        return series  # no text in this column
    hits = np.flatnonzero(first.isin(_FORMULA_FIRST).to_numpy(dtype=bool))
    if not len(hits):
        return series
    values = series.to_numpy(dtype=object, copy=True)
    for i in hits:
        values[i] = _quoted(values[i])
    return pd.Series(values, index=series.index, name=series.name, dtype=object)


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` in which no text cell can become a live spreadsheet formula.

    A text cell (or column name) beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return gets a single quote in front, as OWASP recommends against CSV injection ("CSV
    Injection", OWASP Foundation); numbers, and text that is a plain number such as ``-3``,
    are kept as they are. Used for every CSV, TSV and xlsx iwm writes.
    """
    out = table.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        quoted = _quote_column(column)
        if quoted is not column:
            out.isetitem(i, quoted.to_numpy(dtype=object))
    out.columns = pd.Index([_quoted(c) for c in out.columns], dtype=object)
    return out


def csv_text(table: pd.DataFrame, sep: str = ",") -> str:
    """``table`` as CSV (or TSV) text for a spreadsheet: formulas neutralised
    (:func:`neutralise_formulas`), and every field quoted when a cell holds a carriage return,
    which the minimal quoting of Python's csv module would leave bare (splitting the row)."""
    safe = neutralise_formulas(table)
    has_cr = any(_text_holds(safe.iloc[:, i], "\r") for i in range(safe.shape[1])) or any(
        isinstance(c, str) and "\r" in c for c in safe.columns
    )
    quoting = cast(Literal[0, 1, 2, 3], csv.QUOTE_NONNUMERIC if has_cr else csv.QUOTE_MINIMAL)
    return safe.to_csv(index=False, sep=sep, lineterminator="\n", quoting=quoting)


def _text_holds(series: pd.Series, text: str) -> bool:
    if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_datetime64_any_dtype(series.dtype):
        return False
    try:
        return bool(series.astype(object).str.contains(text, regex=False).fillna(False).astype(bool).any())
    except AttributeError:
        return False


def write_table(
    table: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    inputs: Iterable[str | os.PathLike[str]] = (),
) -> None:
    """Write ``table`` atomically in the format of ``path``'s suffix (csv, tsv, xlsx, parquet).

    The table goes to a temporary file in the destination's directory, which is then renamed
    over ``path`` (``os.replace``), so a reader never sees half a file. Refuses to write over
    any of ``inputs``. In CSV, TSV and xlsx a text cell that a spreadsheet would run as a
    formula is quoted (:func:`neutralise_formulas`); Parquet keeps every value as it is.
    """
    target = Path(path)
    suffix = _kind(target)
    for source in inputs:
        if _same_file(target, Path(source)) or target.resolve() == Path(source).resolve():
            raise InputError(str(path), "is the input file; refusing to overwrite it (choose another output path)")
    directory = target.parent
    if not directory.is_dir():
        raise InputError(str(path), f"directory {str(directory)!r} does not exist")
    if target.is_dir():
        raise InputError(str(path), "is a directory")

    def write(handle: BinaryIO) -> None:
        # a spreadsheet opens CSV, TSV and xlsx: no cell may run there as a formula
        if suffix in TEXT_SUFFIXES:
            handle.write(csv_text(table, TEXT_SUFFIXES[suffix]).encode("utf-8"))
        elif suffix == ".xlsx":
            neutralise_formulas(table).to_excel(handle, index=False, engine="openpyxl")
        else:
            _parquet_ready(table).to_parquet(handle, index=False, engine="pyarrow")

    try:
        atomic_write(target, write)
    except OSError as exc:
        raise InputError(str(path), f"cannot write: {exc.strerror or exc}") from None
    except (ValueError, TypeError, IllegalCharacterError) as exc:
        # e.g. a control character Excel cannot store, or a value Parquet cannot type
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(
            str(path), f"cannot store this table as {suffix} ({first[:120]}); choose another output format"
        ) from None
