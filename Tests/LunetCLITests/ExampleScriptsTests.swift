import Foundation
import Testing

/// Runs the operator scripts in scripts/examples/ against the in-process
/// sandbox (`lunet run --sandbox`), as CI must, and checks what they print,
/// write and exit with.
@Suite("Example scripts against the sandbox")
struct ExampleScriptsTests: SandboxScriptSuite {
    let dir: URL
    let environment: [String: String]
    static let examples = LunetProcess.root.appending(path: "scripts/examples")

    init() throws {
        (dir, environment) = try Self.scratch()
    }

    /// The tour scripts/demo runs: JSON, then each of the four APIs.
    @Test func tourRunsEverySection() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await run("scripts/examples/tour.lua")
        #expect(r.status == 0, "\(r.stderr)")
        let out = lines(r.stdout)
        #expect(out.contains("664 buildings in Vienna; the first three, fetched page by page as the loop asks:"), "\(r.stdout)")
        #expect(out.contains("3 items in 1 batch: 2 stored, 1 rejected"))
        #expect(out.contains("second run sees only the new change: TOUR-1 → Tour 1 (renamed)"))
        #expect(out.contains("2 records: 1 created, 1 duplicates (record 1 already has that DocID)"))
        #expect(out.contains("the files feed delivered 150 changes; a rerun delivers only what changes next"))
        #expect(out.contains("connection \"NetSuite Production\": 822 records in 9 pages"))
        #expect(out.last { !$0.isEmpty }?.hasPrefix("HTTP: ") == true)
        // without --sandbox it stops after the JSON part, saying how to see the rest
        let plain = try await LunetProcess.run(["run", "scripts/examples/tour.lua"], environment: environment,
                                               directory: LunetProcess.root)
        #expect(plain.status == 0)
        #expect(plain.stdout.hasSuffix("(run with --sandbox for the API part of the tour)\n"), "\(plain.stdout)")
    }

    /// The sandbox lives as long as one `lunet run`, so both runs of the feed
    /// sync happen in one process: a driver calls the example twice with
    /// `dofile`, changing buildings in between.
    @Test func feedToCSVRunTwiceAppendsOnlyNewChanges() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appending(path: "buildings.csv").path
        let example = Self.examples.appending(path: "icl_feed_to_csv.lua").path
        try dir.write("""
            local function sync()
              arg = { [0] = \(luaString(example)), \(luaString(csv)), "ci-buildings" }
              dofile(arg[0])
            end
            sync()
            print("-- between runs")
            local b = require("lunet.icl").connect():content("building")
            b:create{ externalId = "NEW-1", buildingname = "Neu, \\"Eck\\"haus", strasse = "Neugasse 1" }
            b:delete("GB-00002")
            sync()
            """, to: "driver.lua")
        let r = try await run(dir.appending(path: "driver.lua").path)
        #expect(r.status == 0, "\(r.stderr)")
        let out = lines(r.stdout)
        #expect(out.contains("1205 changes appended to \(csv) (1200 new or changed, 5 deleted)"), "\(r.stdout)")
        #expect(out.contains("2 changes appended to \(csv) (1 new or changed, 1 deleted)"), "\(r.stdout)")
        #expect(out.filter { $0.hasPrefix("checkpoint \"ci-buildings\" at token ") }.count == 2)

        // CRLF line ends (RFC 4180); "\r\n" is one Character in Swift, so split on the string.
        let rows = try String(contentsOfFile: csv, encoding: .utf8).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(rows.count == 1 + 1205 + 2)
        #expect(rows.first == "externalId,deleted,lastModificationTime,buildingname,strasse,stiege,stock,topnr,plz,ort,baujahr,site,contentItemId")
        #expect(rows.allSatisfy { $0.filter { $0 == "," }.count >= 12 }, "every row has all 13 fields")
        // The title holds a comma, so it is quoted.
        #expect(rows.contains { $0.hasPrefix("GB-00012,,") && $0.contains(",\"Wien, Hansonstrasse 23\",") })
        #expect(rows.contains { $0.hasPrefix("GB-00004,yes,") })
        let appended = rows.suffix(2)
        #expect(appended.contains { $0.hasPrefix("NEW-1,,") && $0.contains(",\"Neu, \"\"Eck\"\"haus\",Neugasse 1,") })
        #expect(appended.contains { $0.hasPrefix("GB-00002,yes,") })
    }

    @Test func feedToCSVNeedsAnOutputFile() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await run("scripts/examples/icl_feed_to_csv.lua")
        #expect(r.status == 2)
        #expect(r.stderr.contains("usage: lunet run icl_feed_to_csv.lua OUT.csv [CHECKPOINT]"))
    }

    @Test func upsertFromCSVReportsTheInvalidRowAndRollsItsBatchBack() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await run("scripts/examples/icl_upsert_from_csv.lua", ["scripts/examples/data/buildings.csv"])
        #expect(r.status == 1, "\(r.stderr)")
        let out = lines(r.stdout)
        #expect(out[0] == "scripts/examples/data/buildings.csv: 6 rows in 1 batch(es) (atomic): 0 succeeded, 1 errored, 5 rolled back")
        #expect(out.contains { $0.hasPrefix("  line 6  CSV-0005     errored: ") && $0.contains("strasse") }, "\(r.stdout)")
        #expect(out.contains("  line 2  CSV-0001     rolled back (valid, but its batch was not stored)"))
        #expect(out.contains("  line 7  CSV-0006     rolled back (valid, but its batch was not stored)"))
    }

    @Test func upsertFromCSVWithIgnoreErrorsStoresTheValidRows() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        // Batches of 2 and a quoted field over two lines: line numbers follow the file.
        try dir.write("""
            externalId,buildingname,strasse,plz
            Q-1,"Zwei
            Zeilen",Gasse 1,1010
            Q-2,Ohne Straße,,1020
            Q-3,"Wien, Ring 1",Ring 1,1010
            """, to: "in.csv")
        let r = try await run("scripts/examples/icl_upsert_from_csv.lua",
                              [dir.appending(path: "in.csv").path, "--ignore-errors", "--batch-size", "2"])
        #expect(r.status == 1, "\(r.stderr)")
        let out = lines(r.stdout)
        #expect(out[0].hasSuffix(": 3 rows in 2 batch(es) (ignore errors): 2 succeeded, 1 errored, 0 rolled back"), "\(r.stdout)")
        #expect(out.contains { $0.hasPrefix("  line 4  Q-2          errored: ") })

        try dir.write("externalId,buildingname,strasse\nOK-1,Gut,Gasse 1\nOK-2,Besser,Gasse 2\n", to: "ok.csv")
        let ok = try await run("scripts/examples/icl_upsert_from_csv.lua", [dir.appending(path: "ok.csv").path])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.hasSuffix(": 2 rows in 1 batch(es) (atomic): 2 succeeded, 0 errored, 0 rolled back\n"))
    }

    @Test func queryPrintsAnAlignedTableAndTheTotal() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await run("scripts/examples/icl_query.lua", ["ExternalId eq 'GB-00012' or ExternalId eq 'GB-00013'"])
        #expect(r.status == 0, "\(r.stderr)")
        let out = lines(r.stdout)
        #expect(out[0] == "filter: ExternalId eq 'GB-00012' or ExternalId eq 'GB-00013'")
        #expect(out[1].hasPrefix("id        name"))
        #expect(out[2].hasPrefix("--------  ----"))
        #expect(out[3].hasPrefix("GB-00012  Wien, Hansonstrasse 23"))
        #expect(out[4].hasPrefix("GB-00013  "))
        #expect(out[5] == "2 of 2 matching buildings shown")

        let graz = try await run("scripts/examples/icl_query.lua")
        #expect(graz.status == 0, "\(graz.stderr)")
        let last = lines(graz.stdout).filter { !$0.isEmpty }.last ?? ""
        #expect(last.hasPrefix("20 of ") && last.hasSuffix(" matching buildings shown"), "\(last)")
        #expect((Int(last.split(separator: " ")[2]) ?? 0) > 100)
        #expect(lines(graz.stdout).dropFirst(3).prefix(20).allSatisfy { $0.contains("Graz") })
    }
}

