//! Tests for the template engine, through `render` and `Template` as callers use them.

use super::*;
use serde_json::json;

fn data() -> Value {
    json!({
        "Name": "docker.io/library/busybox",
        "Digest": "sha256:abc",
        "RepoTags": ["v1", "v2"],
        "Labels": {"b": "2", "a": "1"},
        "Layers": ["sha256:l1", "sha256:l2"],
        "Size": 1234,
        "Ratio": 0.5,
        "Empty": "",
        "Nothing": null,
        "NoTags": [],
        "Html": "<a&b>",
        "LayersData": [{"Digest": "sha256:l1", "Size": 10}, {"Digest": "sha256:l2", "Size": 20}]
    })
}

fn r(t: &str) -> String {
    render(t, &data()).unwrap_or_else(|e| panic!("{t}: {e}"))
}

fn err(t: &str) -> String {
    match render(t, &data()) {
        Ok(out) => panic!("{t}: expected an error, got {out:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn fields_and_values() {
    assert_eq!(r("{{.Digest}}"), "sha256:abc\n");
    assert_eq!(r("{{ .Name }}"), "docker.io/library/busybox\n");
    assert_eq!(r("{{.Labels}}"), "map[a:1 b:2]\n");
    assert_eq!(r("{{.RepoTags}}"), "[v1 v2]\n");
    assert_eq!(r("{{.NoTags}}"), "[]\n");
    assert_eq!(r("{{.Size}} {{.Ratio}} {{.Nothing}}"), "1234 0.5 <nil>\n");
    assert_eq!(r("{{.LayersData}}"), "[map[Digest:sha256:l1 Size:10] map[Digest:sha256:l2 Size:20]]\n");
    assert_eq!(r("{{.Labels.a}}"), "1\n");
    assert_eq!(r("name: {{.Name}}\\tdigest"), "name: docker.io/library/busybox\tdigest\n");
}

#[test]
fn dot_is_the_data() {
    let out = render("{{.}}", &json!({"b": 1, "a": [true, null]})).unwrap();
    assert_eq!(out, "map[a:[true <nil>] b:1]\n");
}

#[test]
fn json_function() {
    assert_eq!(r("{{json .Labels}}"), "{\"b\":\"2\",\"a\":\"1\"}\n");
    assert_eq!(r("{{.Labels | json}}"), "{\"b\":\"2\",\"a\":\"1\"}\n");
    assert_eq!(r("{{json .Html}}"), "\"<a&b>\"\n");
    assert_eq!(r("{{json .NoTags}}"), "[]\n");
}

#[test]
fn range() {
    assert_eq!(r("{{range .Layers}}{{.}}\\n{{end}}"), "sha256:l1\nsha256:l2\n\n");
    assert_eq!(r("{{range $i, $l := .Layers}}{{$i}}={{$l}} {{end}}"), "0=sha256:l1 1=sha256:l2 \n");
    assert_eq!(r("{{range $k, $v := .Labels}}{{$k}}:{{$v}};{{end}}"), "a:1;b:2;\n");
    assert_eq!(r("{{range .NoTags}}x{{else}}none{{end}}"), "none\n");
    assert_eq!(r("{{range .LayersData}}{{.Size}},{{end}}"), "10,20,\n");
    assert_eq!(r("{{range .Layers}}{{if eq . \"sha256:l2\"}}{{break}}{{end}}{{.}}{{end}}"), "sha256:l1\n");
    assert_eq!(r("{{range .Layers}}{{if eq . \"sha256:l1\"}}{{continue}}{{end}}{{.}}{{end}}"), "sha256:l2\n");
    // `$` is the one-element list skopeo executes over, as in Go.
    assert!(err("{{$.Digest}}").contains("can't evaluate field Digest in type []interface {}"));
    let t = Template::parse("t", "{{range $x := .RepoTags}}{{$x}}{{$.Digest}} {{end}}").unwrap();
    assert_eq!(t.execute(&data()).unwrap(), "v1sha256:abc v2sha256:abc ");
}

#[test]
fn explicit_range_over_dot_is_kept() {
    assert_eq!(r("{{range .}}{{.Digest}}{{end}}"), "sha256:abc\n");
}

#[test]
fn conditionals() {
    assert_eq!(r("{{if .RepoTags}}tags{{else}}no tags{{end}}"), "tags\n");
    assert_eq!(r("{{if .NoTags}}tags{{else}}no tags{{end}}"), "no tags\n");
    assert_eq!(r("{{if .Empty}}a{{else if .Nothing}}b{{else if .Size}}c{{end}}"), "c\n");
    assert_eq!(r("{{if not .Empty}}empty{{end}}"), "empty\n");
    assert_eq!(r("{{if and .Size .Empty}}y{{else}}n{{end}}"), "n\n");
    assert_eq!(r("{{or .Empty .Name}}"), "docker.io/library/busybox\n");
    assert_eq!(r("{{with .Labels}}{{.a}}{{end}}"), "1\n");
    assert_eq!(r("{{if gt .Size 1000}}big{{end}}"), "big\n");
    assert_eq!(r("{{if eq .Digest \"x\" \"sha256:abc\"}}yes{{end}}"), "yes\n");
}

#[test]
fn trim_markers() {
    assert_eq!(r("a  {{- .Digest -}}  b"), "asha256:abcb\n");
    assert_eq!(r("{{range .Layers -}}\n  {{.}}\n{{- end}}"), "sha256:l1sha256:l2\n");
    assert_eq!(r("x{{/* comment */}}y"), "xy\n");
}

#[test]
fn functions() {
    assert_eq!(r("{{join .RepoTags \",\"}}"), "v1,v2\n");
    assert_eq!(r("{{len .Layers}} {{len .Labels}} {{len .Name}}"), "2 2 25\n");
    assert_eq!(r("{{index .Labels \"a\"}}|{{index .Labels \"zz\"}}|{{index .Layers 1}}"), "1||sha256:l2\n");
    assert_eq!(
        r("{{upper .Digest}} {{lower \"ABC\"}} {{title \"hello wide world\"}}"),
        "SHA256:ABC abc Hello Wide World\n"
    );
    assert_eq!(r("{{split .Digest \":\"}}"), "[sha256 abc]\n");
    assert_eq!(r("{{truncate .Digest 6}}|{{pad .Digest 1 2}}|"), "sha256| sha256:abc  |\n");
    assert_eq!(
        r("{{printf \"%s-%d-%v-%q\" .Digest .Size .RepoTags .Name}}"),
        "sha256:abc-1234-[v1 v2]-\"docker.io/library/busybox\"\n"
    );
    assert_eq!(r("{{printf \"%5d|%-4s|%05d\" 42 \"ab\" 7}}"), "   42|ab  |00007\n");
    assert_eq!(r("{{printf \"%d\" .Digest}}"), "%!d(string=sha256:abc)\n");
    assert_eq!(r("{{print 1 2 \"a\" \"b\"}}"), "1 2ab\n");
    assert_eq!(r("{{.Name | upper | lower}}"), "docker.io/library/busybox\n");
    assert_eq!(r("{{$n := len .Layers}}{{$n}}"), "2\n");
    assert_eq!(r("{{(index .LayersData 1).Digest}}"), "sha256:l2\n");
}

#[test]
fn floats_print_like_go() {
    let v = json!({"a": 1e21, "b": 123456.0, "c": 0.00001, "d": 2.0, "e": 1234567.0, "f": 0.0001, "g": -2.5});
    let out = render("{{.a}} {{.b}} {{.c}} {{.d}} {{.e}} {{.f}} {{.g}}", &v).unwrap();
    assert_eq!(out, "1e+21 123456 1e-05 2 1.234567e+06 0.0001 -2.5\n");
}

#[test]
fn table_format_aligns_columns() {
    assert_eq!(r("table {{.Digest}}\\t{{.Size}}"), "sha256:abc  1234\n");
    let out =
        render("table {{range .Layers}}{{.}}\\tx\\n{{end}}", &json!({"Layers": ["a", "abcdefghijklmn"]})).unwrap();
    assert_eq!(out, "a               x\nabcdefghijklmn  x\n\n");
}

#[test]
fn normalization() {
    assert_eq!(normalize_format("{{.A}}\\t{{.B}}\\n"), "{{.A}}\t{{.B}}\n");
    assert_eq!(normalize_format("{{.A}}"), "{{.A}}\n");
    assert_eq!(normalize_format("table {{.A}} {{.B}}"), "{{.A}}\t{{.B}}\n");
    assert_eq!(enforce_range("{{.A}}\n"), "{{range .}}{{.A}}\n{{end -}}");
    assert_eq!(enforce_range("{{ range . }}x{{ end -}}"), "{{ range . }}x{{ end -}}");
    assert_eq!(enforce_range("{{range .Layers}}x{{end}}"), "{{range .}}{{range .Layers}}x{{end}}{{end -}}");
}

#[test]
fn json_format_detection() {
    for yes in ["json", " json ", "{{json .}}", "{{ json . }}", "{{json}}", "{{json .}}\n", "{{  json  .   }}"] {
        assert!(is_json_format(yes), "{yes:?}");
    }
    for no in ["", "{{json .Labels}}", "{{.}}", "jsonx", "{{ .json }}", "{{json . }} x"] {
        assert!(!is_json_format(no), "{no:?}");
    }
}

#[test]
fn missing_field_is_an_error() {
    assert_eq!(
        err("{{.Nope}}"),
        "template: skopeo inspect:1:13: executing \"skopeo inspect\" at <.Nope>: can't evaluate field Nope"
    );
    let e = Template::parse("", "{{.Nope}}").unwrap().execute(&json!({})).unwrap_err().to_string();
    assert_eq!(e, "template: :1:2: executing \"\" at <.Nope>: can't evaluate field Nope");
    assert!(err("{{.Labels.a.b}}").contains("can't evaluate field b in type string"));
}

#[test]
fn malformed_templates_are_errors() {
    let unclosed = Template::parse("t", "{{.Digest").unwrap_err().to_string();
    assert_eq!(unclosed, "template: t:1: unclosed action");
    // Through render the appended newline and {{end}} follow, so Go stops at the "{".
    assert_eq!(err("{{.Digest"), "template: skopeo inspect:2: unexpected \"{\" in operand");
    assert_eq!(err("{{nope .Digest}}"), "template: skopeo inspect:1: function \"nope\" not defined");
    assert_eq!(err("{{.Digest}"), "template: skopeo inspect:1: unexpected \"}\" in operand");
    assert!(err("{{if .Digest}}x").contains("unexpected EOF"));
    assert!(err("{{end}}").contains("unexpected {{end}}"));
    assert!(err("{{}}").contains("missing value for command"));
    assert!(err("{{$x}}").contains("undefined variable \"$x\""));
    let outside = Template::parse("t", "{{break}}").unwrap_err().to_string();
    assert_eq!(outside, "template: t:1: {{break}} outside {{range}}");
    // render wraps the format in a range, so there it stops the loop, as in skopeo.
    assert_eq!(r("a{{break}}b"), "a");
    assert!(err("{{\"a\" | \"b\"}}").contains("non executable command"));
    assert!(err("{{(.Digest}}").contains("unclosed left paren"));
    assert!(err("{{upper .Size}}").contains("wrong type for value; expected string; got int"));
    assert!(err("{{index .Layers 5}}").contains("index out of range: 5"));
    assert!(err("{{join .Digest}}").contains("wrong number of args for join: want 2 got 1"));
    assert!(err("{{template \"x\"}}").contains("not supported"));
    assert!(err("{{.Digest .Name}}").contains("can't give argument to non-function"));
}

#[test]
fn tabwriter_blocks() {
    assert_eq!(tabwrite("a\tb\nccc\td\n", 0, 1), "a   b\nccc d\n");
    assert_eq!(tabwrite("a\tb\nno tabs\nxx\ty", 0, 1), "a b\nno tabs\nxx y");
}

#[cfg(not(target_arch = "wasm32"))]
proptest::proptest! {
    #[test]
    fn render_never_panics(t in "\\PC{0,60}") {
        let _ = render(&t, &data());
    }

    #[test]
    fn render_never_panics_on_template_like_input(
        parts in proptest::collection::vec(proptest::prop_oneof![
            proptest::strategy::Just("{{".to_string()),
            proptest::strategy::Just("}}".to_string()),
            proptest::strategy::Just("{{- ".to_string()),
            proptest::strategy::Just(" -}}".to_string()),
            proptest::strategy::Just("range ".to_string()),
            proptest::strategy::Just("if ".to_string()),
            proptest::strategy::Just("else".to_string()),
            proptest::strategy::Just("end".to_string()),
            proptest::strategy::Just(".Labels".to_string()),
            proptest::strategy::Just(".Layers".to_string()),
            proptest::strategy::Just("$x := ".to_string()),
            proptest::strategy::Just("$x".to_string()),
            proptest::strategy::Just(" | ".to_string()),
            proptest::strategy::Just("(".to_string()),
            proptest::strategy::Just(")".to_string()),
            proptest::strategy::Just("\"s\"".to_string()),
            proptest::strategy::Just("printf \"%d%s%q\" ".to_string()),
            proptest::strategy::Just("index ".to_string()),
            proptest::strategy::Just("json ".to_string()),
            proptest::strategy::Just(" 1 ".to_string()),
            proptest::strategy::Just(".".to_string()),
            "\\PC{0,3}",
        ], 0..24)
    ) {
        let _ = render(&parts.concat(), &data());
    }
}
