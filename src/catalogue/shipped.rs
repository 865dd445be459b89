//! The cards and region files compiled into the binary, so `kaveri chat` and a bot
//! without `catalogue.dir` or `catalogue.regions_dir` work from any directory. Keep in
//! step with config/catalogue/ and config/regions/: unit tests fail when a file is
//! missing here or listed but gone.

/// (card id, card TOML) for every file in config/catalogue.
pub(super) const SHIPPED: &[(&str, &str)] = &[
    (
        "arkeen-voimaa",
        include_str!("../../config/catalogue/arkeen-voimaa.toml"),
    ),
    (
        "asiakasvastaava",
        include_str!("../../config/catalogue/asiakasvastaava.toml"),
    ),
    (
        "erityisosaamistiimi",
        include_str!("../../config/catalogue/erityisosaamistiimi.toml"),
    ),
    (
        "ips-tyohonvalmennus",
        include_str!("../../config/catalogue/ips-tyohonvalmennus.toml"),
    ),
    (
        "jarjestot",
        include_str!("../../config/catalogue/jarjestot.toml"),
    ),
    (
        "kela-kuntoutus",
        include_str!("../../config/catalogue/kela-kuntoutus.toml"),
    ),
    (
        "kokemusasiantuntija",
        include_str!("../../config/catalogue/kokemusasiantuntija.toml"),
    ),
    (
        "kuntouttava-tyotoiminta",
        include_str!("../../config/catalogue/kuntouttava-tyotoiminta.toml"),
    ),
    (
        "kuntoutustutkimus",
        include_str!("../../config/catalogue/kuntoutustutkimus.toml"),
    ),
    (
        "kykyviisari",
        include_str!("../../config/catalogue/kykyviisari.toml"),
    ),
    (
        "laakaripalvelut",
        include_str!("../../config/catalogue/laakaripalvelut.toml"),
    ),
    (
        "laakinnallinen-kuntoutus",
        include_str!("../../config/catalogue/laakinnallinen-kuntoutus.toml"),
    ),
    (
        "mielenterveys-ja-paihdepalvelut",
        include_str!("../../config/catalogue/mielenterveys-ja-paihdepalvelut.toml"),
    ),
    (
        "ohjaamo",
        include_str!("../../config/catalogue/ohjaamo.toml"),
    ),
    (
        "rikosseuraamus",
        include_str!("../../config/catalogue/rikosseuraamus.toml"),
    ),
    (
        "saattaen-vaihtaen",
        include_str!("../../config/catalogue/saattaen-vaihtaen.toml"),
    ),
    (
        "sosiaalinen-kuntoutus",
        include_str!("../../config/catalogue/sosiaalinen-kuntoutus.toml"),
    ),
    (
        "sosiaalityo",
        include_str!("../../config/catalogue/sosiaalityo.toml"),
    ),
    (
        "te-tyokykykoordinaattori",
        include_str!("../../config/catalogue/te-tyokykykoordinaattori.toml"),
    ),
    ("toimia", include_str!("../../config/catalogue/toimia.toml")),
    (
        "tuettu-tyollistyminen",
        include_str!("../../config/catalogue/tuettu-tyollistyminen.toml"),
    ),
    (
        "tyokykykoordinaattori",
        include_str!("../../config/catalogue/tyokykykoordinaattori.toml"),
    ),
    (
        "tyokykypistemaara",
        include_str!("../../config/catalogue/tyokykypistemaara.toml"),
    ),
    (
        "tyokykytiimi",
        include_str!("../../config/catalogue/tyokykytiimi.toml"),
    ),
    (
        "tyokyvyn-tuen-suunnitelma",
        include_str!("../../config/catalogue/tyokyvyn-tuen-suunnitelma.toml"),
    ),
    (
        "tyokyvyttomyyselake",
        include_str!("../../config/catalogue/tyokyvyttomyyselake.toml"),
    ),
    (
        "tyollisyyspalvelut",
        include_str!("../../config/catalogue/tyollisyyspalvelut.toml"),
    ),
    (
        "tyottomien-terveystarkastus",
        include_str!("../../config/catalogue/tyottomien-terveystarkastus.toml"),
    ),
    ("typ", include_str!("../../config/catalogue/typ.toml")),
    (
        "vammaispalvelut",
        include_str!("../../config/catalogue/vammaispalvelut.toml"),
    ),
    (
        "velkaneuvonta",
        include_str!("../../config/catalogue/velkaneuvonta.toml"),
    ),
    (
        "y100-suostumus",
        include_str!("../../config/catalogue/y100-suostumus.toml"),
    ),
];

/// (county file name, region TOML) for every file in config/regions.
pub(super) const SHIPPED_REGIONS: &[(&str, &str)] = &[
    ("etela-karjala", include_str!("../../config/regions/etela-karjala.toml")),
    ("etela-pohjanmaa", include_str!("../../config/regions/etela-pohjanmaa.toml")),
    ("etela-savo", include_str!("../../config/regions/etela-savo.toml")),
    ("helsinki", include_str!("../../config/regions/helsinki.toml")),
    ("ita-uusimaa", include_str!("../../config/regions/ita-uusimaa.toml")),
    ("kainuu", include_str!("../../config/regions/kainuu.toml")),
    ("kanta-hame", include_str!("../../config/regions/kanta-hame.toml")),
    ("keski-pohjanmaa", include_str!("../../config/regions/keski-pohjanmaa.toml")),
    ("keski-suomi", include_str!("../../config/regions/keski-suomi.toml")),
    ("keski-uusimaa", include_str!("../../config/regions/keski-uusimaa.toml")),
    ("kymenlaakso", include_str!("../../config/regions/kymenlaakso.toml")),
    ("lansi-uusimaa", include_str!("../../config/regions/lansi-uusimaa.toml")),
    ("lappi", include_str!("../../config/regions/lappi.toml")),
    ("paijat-hame", include_str!("../../config/regions/paijat-hame.toml")),
    ("pirkanmaa", include_str!("../../config/regions/pirkanmaa.toml")),
    ("pohjanmaa", include_str!("../../config/regions/pohjanmaa.toml")),
    ("pohjois-karjala", include_str!("../../config/regions/pohjois-karjala.toml")),
    ("pohjois-pohjanmaa", include_str!("../../config/regions/pohjois-pohjanmaa.toml")),
    ("pohjois-savo", include_str!("../../config/regions/pohjois-savo.toml")),
    ("satakunta", include_str!("../../config/regions/satakunta.toml")),
    ("vantaa-kerava", include_str!("../../config/regions/vantaa-kerava.toml")),
    ("varsinais-suomi", include_str!("../../config/regions/varsinais-suomi.toml")),
];
