/// The two-letter SID aliases of SDDL (`SY`, `BA`, `WD`, …). Domain-relative ones (`DA`, `DU`, …) need
/// the domain's SID; without it they are an error, never a guess.
public enum SIDAliases {
    /// Alias → SID, for the aliases that name a fixed SID.
    public static let fixed: [String: String] = [
        "AN": "S-1-5-7", "AO": "S-1-5-32-548", "AU": "S-1-5-11", "BA": "S-1-5-32-544", "BG": "S-1-5-32-546",
        "BO": "S-1-5-32-551", "BU": "S-1-5-32-545", "CG": "S-1-3-1", "CO": "S-1-3-0", "ED": "S-1-5-9",
        "IU": "S-1-5-4", "LS": "S-1-5-19", "NO": "S-1-5-32-556", "NS": "S-1-5-20", "NU": "S-1-5-2",
        "OW": "S-1-3-4", "PO": "S-1-5-32-550", "PS": "S-1-5-10", "PU": "S-1-5-32-547", "RC": "S-1-5-12",
        "RD": "S-1-5-32-555", "RE": "S-1-5-32-552", "RU": "S-1-5-32-554", "SO": "S-1-5-32-549", "SU": "S-1-5-6",
        "SY": "S-1-5-18", "WD": "S-1-1-0", "WR": "S-1-5-33", "ER": "S-1-5-32-573", "MU": "S-1-5-32-558",
        "LU": "S-1-5-32-559", "IS": "S-1-5-32-568", "CY": "S-1-5-32-569", "RM": "S-1-5-32-580",
        "HA": "S-1-5-32-578", "AA": "S-1-5-32-579", "AC": "S-1-15-2-1", "LW": "S-1-16-4096",
        "ME": "S-1-16-8192", "MP": "S-1-16-8448", "HI": "S-1-16-12288", "SI": "S-1-16-16384",
        "RA": "S-1-5-32-575", "ES": "S-1-5-32-576", "MS": "S-1-5-32-577",
    ]

    /// Alias → RID under the domain SID.
    public static let domainRelative: [String: UInt32] = [
        "LA": 500, "LG": 501, "DA": 512, "DU": 513, "DG": 514, "DC": 515, "DD": 516, "CA": 517, "SA": 518,
        "EA": 519, "PA": 520, "RO": 521, "CN": 522, "AP": 525, "KA": 526, "EK": 527, "RS": 553,
    ]

    /// The SID an alias names.
    public static func sid(_ alias: String, domain: SID?) -> Result<SID, SDDLError.Problem> {
        if let s = fixed[alias], let sid = SID(string: s) { return .success(sid) }
        if let rid = domainRelative[alias] {
            guard let domain else { return .failure(.domainAliasWithoutDomain(alias)) }
            return .success(domain.appending(rid))
        }
        return .failure(.unknownSIDAlias(alias))
    }

    /// The alias of a SID, for showing it (`S-1-5-32-573` → `ER`).
    public static let aliasOf: [String: String] = {
        var out: [String: String] = [:]
        for (k, v) in fixed {
            if let old = out[v], old <= k { continue }
            out[v] = k
        }
        return out
    }()
}
