/**
 * Decoded views of LevelDB files, for the plaintext search (profile-bytes.ts): Chromium keeps
 * IndexedDB and localStorage in LevelDB, whose raw bytes can hide a string in three ways:
 *  - table files (`*.ldb`, `*.sst`) compress blocks with Snappy, and a repeated substring
 *    (the "999" of every NHS number) becomes a back-reference;
 *  - table blocks store keys as deltas of the previous key;
 *  - log files (`*.log`, `MANIFEST-*`) cut records at 32 KiB block boundaries with a header.
 * Each view is a buffer in which keys and values appear whole. Anything not understood yields
 * no view (the raw bytes are searched regardless).
 */

/** Reads a varint (up to 64 bits, within Number's exact range for our sizes). */
function varint(buf: Uint8Array, pos: number): [value: number, next: number] {
  let value = 0;
  let mult = 1;
  for (let i = pos; i < buf.length && i < pos + 10; i++) {
    const b = buf[i]!;
    value += (b & 0x7f) * mult;
    if (b < 0x80) return [value, i + 1];
    mult *= 128;
  }
  throw new Error('bad varint');
}

/** Snappy's raw format (no framing), as LevelDB writes it. */
export function snappyDecompress(src: Uint8Array): Buffer {
  const [length, start] = varint(src, 0);
  const out = Buffer.alloc(length);
  let o = 0;
  let i = start;
  while (i < src.length) {
    const tag = src[i++]!;
    let len: number;
    let offset: number;
    switch (tag & 3) {
      case 0: {
        len = tag >>> 2;
        if (len >= 60) {
          const extra = len - 59;
          len = 0;
          for (let k = 0; k < extra; k++) len |= src[i + k]! << (8 * k);
          i += extra;
        }
        len += 1;
        if (i + len > src.length || o + len > length) throw new Error('bad literal');
        out.set(src.subarray(i, i + len), o);
        i += len;
        o += len;
        continue;
      }
      case 1:
        len = ((tag >>> 2) & 7) + 4;
        offset = ((tag >>> 5) << 8) | src[i++]!;
        break;
      case 2:
        len = (tag >>> 2) + 1;
        offset = src[i]! | (src[i + 1]! << 8);
        i += 2;
        break;
      default:
        len = (tag >>> 2) + 1;
        offset = (src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24)) >>> 0;
        i += 4;
    }
    if (offset === 0 || offset > o || o + len > length) throw new Error('bad copy');
    for (let k = 0; k < len; k++, o++) out[o] = out[o - offset]!; // may overlap: byte by byte
  }
  if (o !== length) throw new Error('short snappy output');
  return out;
}

interface BlockHandle {
  offset: number;
  size: number;
}

function handle(buf: Uint8Array, pos: number): [BlockHandle, number] {
  const [offset, p1] = varint(buf, pos);
  const [size, p2] = varint(buf, p1);
  return [{ offset, size }, p2];
}

/** A block's contents: `size` bytes then a type byte (0 none, 1 Snappy) and a CRC. */
function readBlock(file: Buffer, h: BlockHandle): Buffer {
  if (h.offset + h.size + 5 > file.length) throw new Error('block past end of file');
  const data = file.subarray(h.offset, h.offset + h.size);
  const type = file[h.offset + h.size];
  if (type === 0) return data;
  if (type === 1) return snappyDecompress(data);
  throw new Error(`unknown block type ${type}`);
}

/** A block's entries with whole keys (prefix-compressed on disk). */
function blockEntries(block: Buffer): Array<{ key: Buffer; value: Buffer }> {
  const restarts = block.readUInt32LE(block.length - 4);
  const end = block.length - 4 - 4 * restarts;
  const entries: Array<{ key: Buffer; value: Buffer }> = [];
  let key = Buffer.alloc(0);
  for (let p = 0; p < end; ) {
    const [shared, p1] = varint(block, p);
    const [unshared, p2] = varint(block, p1);
    const [valueLen, p3] = varint(block, p2);
    key = Buffer.concat([key.subarray(0, shared), block.subarray(p3, p3 + unshared)]);
    const value = block.subarray(p3 + unshared, p3 + unshared + valueLen);
    entries.push({ key, value });
    p = p3 + unshared + valueLen;
  }
  return entries;
}

const TABLE_MAGIC = Buffer.from([0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb]);

/** Every data block of a table file, decompressed, as key‖value‖key‖value… */
export function tableView(file: Buffer): Buffer | null {
  try {
    if (file.length < 48 || !file.subarray(file.length - 8).equals(TABLE_MAGIC)) return null;
    const footer = file.subarray(file.length - 48);
    const [, next] = handle(footer, 0); // metaindex: filters only
    const [indexHandle] = handle(footer, next);
    const parts: Buffer[] = [];
    for (const { value } of blockEntries(readBlock(file, indexHandle))) {
      for (const e of blockEntries(readBlock(file, handle(value, 0)[0]))) parts.push(e.key, e.value);
    }
    return Buffer.concat(parts);
  } catch {
    return null;
  }
}

const LOG_BLOCK = 32 * 1024;
const LOG_HEADER = 7;

/** A log file's records reassembled from their fragments (FULL, or FIRST…MIDDLE…LAST). */
export function logRecords(file: Buffer): Buffer[] {
  const records: Buffer[] = [];
  let pending: Buffer[] = [];
  for (let block = 0; block < file.length; block += LOG_BLOCK) {
    const blockEnd = Math.min(block + LOG_BLOCK, file.length);
    for (let p = block; p + LOG_HEADER <= blockEnd; ) {
      const length = file.readUInt16LE(p + 4);
      const type = file[p + 6];
      if (type === 0 && length === 0) break; // zero padding to the end of the block
      if (p + LOG_HEADER + length > blockEnd || type === undefined || type < 1 || type > 4) return records; // torn tail
      const fragment = file.subarray(p + LOG_HEADER, p + LOG_HEADER + length);
      if (type === 1) records.push(fragment);
      else if (type === 2) pending = [fragment];
      else {
        pending.push(fragment);
        if (type === 4) {
          records.push(Buffer.concat(pending));
          pending = [];
        }
      }
      p += LOG_HEADER + length;
    }
  }
  return records;
}

/** The decoded views of a file, by its name; none for files that are not LevelDB's. */
export function levelDbViews(name: string, bytes: Buffer): Array<{ kind: 'leveldb-table' | 'leveldb-log'; bytes: Buffer }> {
  if (/\.(ldb|sst)$/.test(name)) {
    const view = tableView(bytes);
    return view ? [{ kind: 'leveldb-table', bytes: view }] : [];
  }
  if (/\.log$|^MANIFEST-/.test(name)) {
    const records = logRecords(bytes);
    // One view, records apart: 0xFF starts no UTF-8 sequence, so no needle spans a seam.
    const seam = Buffer.alloc(4, 0xff);
    return records.length ? [{ kind: 'leveldb-log', bytes: Buffer.concat(records.flatMap((r) => [r, seam])) }] : [];
  }
  return [];
}
