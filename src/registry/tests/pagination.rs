//! Tag lists: `Link` pages followed, loops and runaway pagination stopped, oversized pages refused.

use super::*;

fn tags_url(query: &str) -> String {
    url(&format!("/v2/app/tags/list{query}"))
}

fn page(tags: &[&str]) -> Reply {
    let tags: Vec<String> = tags.iter().map(|t| format!("\"{t}\"")).collect();
    Reply::json(&format!("{{\"name\":\"app\",\"tags\":[{}]}}", tags.join(",")))
}

#[test]
fn link_pages_are_followed_in_order() {
    let t = FakeTransport::new();
    anonymous(&t);
    t.on(Method::Get, &tags_url(""), page(&["a", "b"]).header("Link", "</v2/app/tags/list?last=b&n=2>; rel=\"next\""));
    t.on(
        Method::Get,
        &tags_url("?last=b&n=2"),
        page(&["c", "d"]).header("Link", format!("<{}>; rel=\"next\"", tags_url("?last=d&n=2"))),
    );
    t.on(
        Method::Get,
        &tags_url("?last=d&n=2"),
        page(&["e"]).header("Link", "</v2/app/tags/list?last=a>; rel=\"prev\""),
    );
    let tags = block_on(client(&t).list_tags("app")).unwrap();
    assert_eq!(tags, ["a", "b", "c", "d", "e"]);
    assert_eq!(t.requests_to(&tags_url("")).len(), 3, "one request per page");
    assert!(t.requests_to(&tags_url("")).iter().all(|s| s.headers.get("accept") == Some("application/json")));
}

#[test]
fn a_pagination_loop_is_detected() {
    let t = FakeTransport::new();
    anonymous(&t);
    t.on(Method::Get, &tags_url(""), page(&["a"]).header("Link", "</v2/app/tags/list?last=a>; rel=\"next\""));
    t.on(Method::Get, &tags_url("?last=a"), page(&["b"]).header("Link", "</v2/app/tags/list>; rel=\"next\""));
    let err = block_on(client(&t).list_tags("app")).unwrap_err();
    assert!(matches!(&err, crate::Error::Protocol { reason, .. } if reason.contains("loops back")), "{err:?}");
    assert_eq!(t.requests_to(&tags_url("")).len(), 2);
}

#[test]
fn pagination_stops_after_ten_thousand_pages() {
    let t = FakeTransport::new();
    anonymous(&t);
    t.add(
        Route::computed(Method::Get, &tags_url(""), |seen| {
            let n: u64 = seen.url.rsplit_once("?last=").map_or(0, |(_, n)| n.parse().unwrap());
            page(&["t"]).header("Link", format!("</v2/app/tags/list?last={}>; rel=\"next\"", n + 1))
        })
        .prefix(),
    );
    let err = block_on(client(&t).list_tags("app")).unwrap_err();
    assert!(err.to_string().contains("more than 10000 pages"), "{err}");
    assert_eq!(t.requests_to(&tags_url("")).len(), 10_000);
}

#[test]
fn an_oversized_page_is_refused_before_it_is_read() {
    let t = FakeTransport::new();
    anonymous(&t);
    t.on(Method::Get, &tags_url(""), Reply::ok().header("Content-Length", (33u64 << 20).to_string()).body("{}"));
    let err = block_on(client(&t).list_tags("app")).unwrap_err();
    assert!(err.to_string().contains("exceeds the limit of 33554432 bytes"), "{err}");
    assert_eq!(t.requests_to(&tags_url(""))[0].body_items_read(), 0);
}

#[test]
fn an_oversized_page_without_length_is_cut_at_the_limit() {
    let t = FakeTransport::new();
    anonymous(&t);
    let mib = bytes::Bytes::from(vec![b' '; 1 << 20]);
    t.on(Method::Get, &tags_url(""), Reply::ok().chunks(vec![mib; 40]));
    let err = block_on(client(&t).list_tags("app")).unwrap_err();
    assert!(err.to_string().contains("exceeds the limit"), "{err}");
    assert_eq!(t.requests_to(&tags_url(""))[0].body_items_read(), 33, "reading stopped at the chunk past 32 MiB");
}

#[test]
fn a_page_that_is_not_the_expected_json_is_a_protocol_error() {
    let t = FakeTransport::new();
    anonymous(&t);
    t.on(Method::Get, &tags_url(""), Reply::ok().body("<html>hi</html>"));
    let err = block_on(client(&t).list_tags("app")).unwrap_err();
    assert_eq!(err.code(), "PROTOCOL");
}

#[test]
fn null_tags_is_an_empty_list() {
    let t = FakeTransport::new();
    anonymous(&t);
    t.on(Method::Get, &tags_url(""), Reply::json(r#"{"name":"app","tags":null}"#));
    assert!(block_on(client(&t).list_tags("app")).unwrap().is_empty());
}
