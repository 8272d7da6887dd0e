// warc_read.mjs - the independent reader of crawld's WARC files in the
// tests (it_warc): warcio.js from the npm registry parses every record of
// each file given and prints one JSON object per record, with the digests
// recomputed here by node's own crypto (SHA-1, base32 written out below),
// not taken from the record, and the payload read both raw and decoded by
// warcio (content-coding undone). The C test compares this with the
// database one to one. Then warcio's own CDXJ indexer runs over the same
// files and prints its lines, prefixed "cdxj ", for the index check.
import { WARCParser, CDXIndexer } from "warcio";
import crypto from "node:crypto";
import fs from "node:fs";

// RFC 4648 base32, upper case, padded.
function base32(buf) {
	const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	let bits = 0, value = 0, out = "";
	for (const b of buf) {
		value = (value << 8) | b;
		bits += 8;
		while (bits >= 5) {
			out += abc[(value >>> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0) out += abc[(value << (5 - bits)) & 31];
	while (out.length % 8 !== 0) out += "=";
	return out;
}

function sha1(buf) {
	return "sha1:" + base32(crypto.createHash("sha1").update(buf).digest());
}

for (const file of process.argv.slice(2)) {
	const parser = new WARCParser(fs.createReadStream(file));
	for await (const record of parser) {
		const raw = await record.readFully(false);
		let decoded = raw;
		if (record.httpHeaders && raw.length > 0)
			decoded = await record.readFully(true);
		const h = record.httpHeaders;
		console.log(JSON.stringify({
			file,
			offset: parser.offset,
			length: parser.recordLength,
			type: record.warcType,
			id: record.warcHeader("WARC-Record-ID"),
			date: record.warcDate,
			target: record.warcTargetURI || null,
			concurrent: record.warcHeader("WARC-Concurrent-To") || null,
			refers_to: record.warcHeader("WARC-Refers-To") || null,
			profile: record.warcHeader("WARC-Profile") || null,
			ip: record.warcHeader("WARC-IP-Address") || null,
			payload_digest: record.warcPayloadDigest || null,
			payload_sha1: sha1(raw),
			status: h && h.statusCode ? Number(h.statusCode) : 0,
			method: h && h.method ? h.method : null,
			statusline: h ? h.statusline : null,
			content_encoding: h && h.headers.get("content-encoding") || null,
			transfer_encoding: h && h.headers.get("transfer-encoding") || null,
			content_length: h && h.headers.get("content-length") || null,
			raw_len: raw.length,
			decoded_len: decoded.length,
		}));
	}
}

const indexer = new CDXIndexer({ format: "cdxj" });
const files = process.argv.slice(2).map((f) => ({
	filename: f.split("/").pop(),
	reader: fs.createReadStream(f),
}));
for await (const line of indexer.iterIndex(files))
	process.stdout.write("cdxj " + indexer.serializeCDXJ(line));
