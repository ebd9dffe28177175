//! n6's `message_id`, computed independently of the framework.

/// md5 of source NUL timestamp NUL body, as n6's
/// `BaseCollector.get_output_message_id` computes it.
pub fn n6_message_id(source: &str, timestamp: u64, body: &[u8]) -> String {
    use md5::{Digest, Md5};
    let mut data = Vec::new();
    data.extend_from_slice(source.as_bytes());
    data.push(0);
    data.extend_from_slice(timestamp.to_string().as_bytes());
    data.push(0);
    data.extend_from_slice(body);
    Md5::digest(&data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
