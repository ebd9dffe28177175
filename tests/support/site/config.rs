//! The config texts the tests share: the lines test collector's section and the
//! `[rabbitmq]` section for the test broker.

use super::Site;
use crate::support::amqp::Broker;

/// `[LinesTestCollector]` with the site's input, then `extra` option lines.
pub fn lines_section(site: &Site, extra: &str) -> String {
    format!(
        "[LinesTestCollector]\ninput = {}\n{extra}",
        site.input_path().display()
    )
}

/// The lines test collector's config: `[LinesTestCollector]` with the site's input,
/// `api_password` and `extra` option lines.
pub fn lines_config(site: &Site, api_password: &str, extra: &str) -> String {
    lines_section(site, &format!("api_password = {api_password}\n{extra}"))
}

/// `[rabbitmq]` for the test broker, PLAIN over TCP as the test user, and a blank line.
pub fn rabbitmq_section(broker: &Broker) -> String {
    rabbitmq_section_with(broker, &format!("password = {}", broker.password))
}

/// [`rabbitmq_section`] with `password_lines` in place of the password line (e.g.
/// `password_file = PATH` or `password = ${VAR}`).
pub fn rabbitmq_section_with(broker: &Broker, password_lines: &str) -> String {
    format!(
        "[rabbitmq]\nhost = {}\nport = {}\nheartbeat_interval = 30\nssl = false\n\
         password_auth = true\nusername = {}\n{password_lines}\n\n",
        broker.host, broker.amqp_port, broker.user
    )
}
