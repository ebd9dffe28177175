//! Reading ZIP archives as n6's collectors do with Python's `zipfile` (stored and
//! deflated members, no encryption): the members in archive order, directories left out.

use std::io::Read;

use n6_collectors::{Error, Result};

/// One member: its name (with any directory part) and its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The name as stored in the archive.
    pub name: String,
    /// The uncompressed content.
    pub data: Vec<u8>,
}

fn bad(what: impl std::fmt::Display) -> Error {
    Error::bad_data(format!("not a readable ZIP archive: {what}"))
}

fn u16_at(b: &[u8], at: usize) -> Result<usize> {
    b.get(at..at + 2)
        .map(|s| usize::from(u16::from_le_bytes([s[0], s[1]])))
        .ok_or_else(|| bad("truncated"))
}

fn u32_at(b: &[u8], at: usize) -> Result<usize> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
        .ok_or_else(|| bad("truncated"))
}

/// The file members of `zip` (directories, i.e. names ending in `/`, left out).
pub fn members(zip: &[u8]) -> Result<Vec<Member>> {
    // End of central directory: signature 0x06054b50, at most 64 KiB of comment after it.
    let lowest = zip.len().saturating_sub(22 + 0xffff);
    let end = (lowest..=zip.len().saturating_sub(22))
        .rev()
        .find(|&i| zip[i..].starts_with(b"PK\x05\x06"))
        .ok_or_else(|| bad("no end of central directory"))?;
    let count = u16_at(zip, end + 10)?;
    let mut at = u32_at(zip, end + 16)?;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        if !zip.get(at..).is_some_and(|b| b.starts_with(b"PK\x01\x02")) {
            return Err(bad("bad central directory entry"));
        }
        let flags = u16_at(zip, at + 8)?;
        let method = u16_at(zip, at + 10)?;
        let compressed = u32_at(zip, at + 20)?;
        let size = u32_at(zip, at + 24)?;
        let name_len = u16_at(zip, at + 28)?;
        let extra_len = u16_at(zip, at + 30)?;
        let comment_len = u16_at(zip, at + 32)?;
        let local = u32_at(zip, at + 42)?;
        let name_bytes = zip
            .get(at + 46..at + 46 + name_len)
            .ok_or_else(|| bad("truncated name"))?;
        // Python: UTF-8 when flag bit 11 is set, else cp437 (ASCII names are the same).
        let name = if flags & 0x800 != 0 {
            String::from_utf8_lossy(name_bytes).into_owned()
        } else {
            name_bytes.iter().map(|&b| char::from(b)).collect()
        };
        at += 46 + name_len + extra_len + comment_len;
        if name.ends_with('/') {
            continue;
        }
        if flags & 1 != 0 {
            return Err(bad(format!("{name} is encrypted")));
        }
        if !zip
            .get(local..)
            .is_some_and(|b| b.starts_with(b"PK\x03\x04"))
        {
            return Err(bad(format!("bad local header of {name}")));
        }
        let start = local + 30 + u16_at(zip, local + 26)? + u16_at(zip, local + 28)?;
        let raw = zip
            .get(start..start + compressed)
            .ok_or_else(|| bad(format!("{name} is truncated")))?;
        let data = match method {
            0 => raw.to_vec(),
            8 => {
                let mut data = Vec::with_capacity(size);
                flate2::read::DeflateDecoder::new(raw)
                    .read_to_end(&mut data)
                    .map_err(|e| bad(format!("{name}: {e}")))?;
                data
            }
            other => {
                return Err(bad(format!(
                    "{name}: compression method {other} not supported"
                )));
            }
        };
        out.push(Member { name, data });
    }
    Ok(out)
}

/// The only member of `zip` (n6: `[(_, data)] = iter_unzip_from_bytes(zip)`).
pub fn only_member(zip: &[u8]) -> Result<Member> {
    let mut all = members(zip)?;
    if all.len() != 1 {
        return Err(Error::bad_data(format!(
            "the ZIP archive should hold exactly one file, it holds {}",
            all.len()
        )));
    }
    Ok(all.remove(0))
}

/// The first member of `zip` (n6: `zipped.read(zipped.namelist()[0])`).
pub fn first_member(zip: &[u8]) -> Result<Member> {
    members(zip)?
        .into_iter()
        .next()
        .ok_or_else(|| Error::bad_data("the ZIP archive is empty"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_python_zipfile_writes() {
        // python3: zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED).writestr('a.txt', 'hello ' * 50);
        //          .writestr('d/b.txt', 'x', compress_type=zipfile.ZIP_STORED)
        let zip = std::process::Command::new("python3")
            .arg("-c")
            .arg("import io,sys,zipfile\nb=io.BytesIO()\nz=zipfile.ZipFile(b,'w',zipfile.ZIP_DEFLATED)\nz.writestr('a.txt','hello '*50)\nz.writestr('d/b.txt','x',compress_type=zipfile.ZIP_STORED)\nz.close()\nsys.stdout.buffer.write(b.getvalue())")
            .output()
            .expect("python3");
        let all = members(&zip.stdout).expect("zip");
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].name, "a.txt");
        assert_eq!(all[0].data, "hello ".repeat(50).as_bytes());
        assert_eq!(all[1].name, "d/b.txt");
        assert_eq!(all[1].data, b"x");
        assert_eq!(first_member(&zip.stdout).expect("first").name, "a.txt");
        assert!(only_member(&zip.stdout).is_err());
        assert!(members(b"not a zip").is_err());
    }
}
