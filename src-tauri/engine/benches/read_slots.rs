//! Reading a searchset of 5,000 free slots (with their schedules, practitioners and locations)
//! into the desk's slot views, beside the floor: parsing the same bytes as untyped JSON with
//! `serde_json::from_slice::<Value>`. Target: within 2x of the floor. `cargo bench -p
//! booking-engine --bench read_slots` prints both; tests/PERFORMANCE.md keeps the numbers.

use booking_engine::directory::Directory;
use booking_engine::fhir::stu3;
use booking_engine::standards::mapping;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};
use std::hint::black_box;

const SLOTS: usize = 5_000;
const SCHEDULES: usize = 50;

/// The published GP Connect slot search answer, grown to 5,000 slots over 50 schedules, each
/// with its own practitioner and location, as a busy practice's fortnight would be.
fn searchset() -> Vec<u8> {
    let text = include_str!(
        "../../../tests/fixtures/gpconnect/search_for_free_slots_response_example.json"
    );
    let example: Value = serde_json::from_str(text).expect("fixture");
    let of = |t: &str| {
        example["entry"]
            .as_array()
            .expect("entries")
            .iter()
            .find(|e| e["resource"]["resourceType"] == t)
            .expect(t)["resource"]
            .clone()
    };
    let (slot, schedule, practitioner, location) = (
        of("Slot"),
        of("Schedule"),
        of("Practitioner"),
        of("Location"),
    );
    let mut entries = Vec::with_capacity(SLOTS + 3 * SCHEDULES);
    let start = chrono::DateTime::parse_from_rfc3339("2026-12-02T08:00:00+00:00").expect("t");
    for i in 0..SLOTS {
        let mut s = slot.clone();
        let at = start + chrono::Duration::minutes(10 * i as i64);
        s["id"] = json!(format!("{}", 100_000 + i));
        s["schedule"]["reference"] = json!(format!("Schedule/{}", i % SCHEDULES));
        s["start"] = json!(at.to_rfc3339());
        s["end"] = json!((at + chrono::Duration::minutes(10)).to_rfc3339());
        entries.push(json!({ "fullUrl": format!("https://p.example/Slot/{}", 100_000 + i), "resource": s, "search": { "mode": "match" } }));
    }
    for k in 0..SCHEDULES {
        let mut sc = schedule.clone();
        sc["id"] = json!(k.to_string());
        sc["actor"] = json!([
            { "reference": format!("Practitioner/p{k}") },
            { "reference": format!("Location/l{k}") },
        ]);
        let mut p = practitioner.clone();
        p["id"] = json!(format!("p{k}"));
        let mut l = location.clone();
        l["id"] = json!(format!("l{k}"));
        for r in [sc, p, l] {
            entries.push(json!({ "resource": r, "search": { "mode": "include" } }));
        }
    }
    serde_json::to_vec(&json!({ "resourceType": "Bundle", "type": "searchset", "entry": entries }))
        .expect("bytes")
}

fn read_slots(c: &mut Criterion) {
    let bytes = searchset();
    let directory = Directory::from_toml(
        "[[service]]\nid = \"beckside\"\nname = \"Beckside\"\nkind = \"gp-practice\"\n\
         standard = \"gp-connect\"\nbase_url = \"https://p.example/B86001/STU3/1/gpconnect\"\n\
         ods = \"B86001\"\nasid = \"918999198001\"\n",
    )
    .expect("directory");
    let service = directory.all()[0].clone();
    // The views must be all of them, or the comparison measures nothing.
    let bundle: stu3::Bundle = serde_json::from_slice(&bytes).expect("bundle");
    assert_eq!(mapping::slot_views(&bundle, &service).len(), SLOTS);

    let mut group = c.benchmark_group("read 5,000 slots");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("floor: serde_json Value", |b| {
        b.iter(|| black_box(serde_json::from_slice::<Value>(black_box(&bytes)).expect("json")))
    });
    group.bench_function("desk: Bundle into slot views", |b| {
        b.iter(|| {
            let bundle: stu3::Bundle = serde_json::from_slice(black_box(&bytes)).expect("bundle");
            black_box(mapping::slot_views(&bundle, &service))
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = read_slots
}
criterion_main!(benches);
