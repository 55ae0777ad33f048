// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "permaudit",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "permaudit", targets: ["permaudit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        // C at the edge: only PermauditHost imports these.
        .systemLibrary(
            name: "CACL", pkgConfig: "libacl",
            providers: [.apt(["libacl1-dev"])]),
        .systemLibrary(
            name: "CCap", pkgConfig: "libcap",
            providers: [.apt(["libcap-dev"])]),
        // statx(2) in one header-only call (type, owner, mode, device, inode, immutable/append-only) and
        // the raw ACL xattr: the fast path of whole-tree sweeps.
        .systemLibrary(name: "CStatx"),
        // The loader's argc/argv, for a static binary in a chroot without /proc (the fleet's chroot hosts).
        .target(name: "CArgv"),

        // The pure core: the model and the kernel's access decision. No disk, no Foundation I/O.
        .target(name: "PermauditCore"),
        // The host: live, rooted at a folder; libacl and libcap; accounts, mounts, processes, units.
        .target(name: "PermauditHost", dependencies: ["PermauditCore", "CACL", "CCap", "CStatx", "CArgv"]),
        // The rule catalog: schema, YAML loading, lint, the embedded catalog.
        // `Sources/PermauditRules/Rules` is a symlink to `Rules/`, excluded from the sources: SwiftPM re-plans
        // the build (and re-runs the plugin) when a target folder's tree changes, so a rule file added,
        // renamed or removed is embedded by the next build, with no step of its own.
        .target(
            name: "PermauditRules", dependencies: ["PermauditCore", "CatalogEmbedding", .product(name: "Yams", package: "Yams")],
            exclude: ["Rules"], plugins: [.plugin(name: "EmbedCatalog")]),
        // Rules/ compiled into PermauditRules at build time: the plugin runs the tool, the tool writes the source.
        .target(name: "CatalogEmbedding"),
        .executableTarget(name: "permaudit-embed-catalog", dependencies: ["CatalogEmbedding"]),
        .plugin(name: "EmbedCatalog", capability: .buildTool(), dependencies: ["permaudit-embed-catalog"]),
        // The agent's own policy (elastic-agent.yml, `elastic-agent inspect`): what it will open.
        .target(name: "PermauditPolicy", dependencies: ["PermauditCore", .product(name: "Yams", package: "Yams")]),
        // Facts files: snapshots of Windows and macOS hosts gathered by a collector permaudit prints.
        .target(name: "PermauditFacts", dependencies: ["PermauditCore"]),
        // The audit: rules evaluated on a host, findings, reports.
        .target(name: "PermauditAudit", dependencies: ["PermauditCore", "PermauditHost", "PermauditRules", "PermauditPolicy", "PermauditFacts", .product(name: "Yams", package: "Yams")]),
        // The run history of `audit --record`: drift between cron runs.
        .target(name: "PermauditHistory", dependencies: ["PermauditCore", "PermauditAudit", .product(name: "GRDB", package: "GRDB.swift")]),
        // Fix plans, blast radius, remediation scripts.
        .target(name: "PermauditFix", dependencies: ["PermauditCore", "PermauditHost", "PermauditRules", "PermauditAudit", "PermauditFacts"]),
        // The command line, as a library so every command can be tested.
        .target(
            name: "PermauditCLI",
            dependencies: [
                "PermauditCore", "PermauditHost", "PermauditRules", "PermauditAudit", "PermauditFix", "PermauditHistory", "PermauditPolicy",
                "PermauditFacts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "permaudit", dependencies: ["PermauditCLI", "PermauditHost"]),

        .testTarget(name: "PermauditCoreTests", dependencies: ["PermauditCore"], exclude: ["Samba"]),
        .testTarget(name: "PermauditHostTests", dependencies: ["PermauditCore", "PermauditHost"]),
        .testTarget(name: "PermauditRulesTests", dependencies: ["PermauditCore", "PermauditRules", "CatalogEmbedding"]),
        .testTarget(name: "PermauditAuditTests", dependencies: ["PermauditCore", "PermauditHost", "PermauditRules", "PermauditAudit", "PermauditFacts"]),
        .testTarget(
            name: "PermauditFixTests", dependencies: ["PermauditCore", "PermauditHost", "PermauditRules", "PermauditAudit", "PermauditFix", "PermauditFacts"],
            exclude: ["Golden"]),
        .testTarget(name: "PermauditHistoryTests", dependencies: ["PermauditCore", "PermauditAudit", "PermauditHistory"]),
        .testTarget(
            name: "PermauditFactsTests", dependencies: ["PermauditCore", "PermauditRules", "PermauditFacts", "PermauditAudit", "PermauditFix"],
            exclude: ["Golden", "PowerShell"]),
        .testTarget(name: "EndToEndTests", dependencies: ["PermauditCore", "PermauditHost"]),
        .testTarget(name: "PermauditPolicyTests", dependencies: ["PermauditPolicy"], exclude: ["Golden"]),
    ],
    swiftLanguageModes: [.v6]
)
