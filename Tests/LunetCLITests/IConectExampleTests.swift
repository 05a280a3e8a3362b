import Foundation
import Testing

/// Runs the iCONECT example scripts in scripts/examples/ against the
/// in-process sandbox (`lunet run --sandbox`), as CI must, and checks what
/// they print, write and exit with.
@Suite("iCONECT example scripts against the sandbox")
struct IConectExampleTests: SandboxScriptSuite {
    let dir: URL
    let environment: [String: String]

    init() throws {
        (dir, environment) = try Self.scratch()
    }

    @Test func recordsToCSVExportsTheChosenFieldsOfEveryRecord() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appending(path: "records.csv").path
        let r = try await run("scripts/examples/iconect_records_to_csv.lua", ["1", csv, "DocID", "title", "6"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "600 records of project 1 written to \(csv) (fields: DocID, Title, Page Count)\n")
        let rows = try String(contentsOfFile: csv, encoding: .utf8).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(rows.count == 601)
        #expect(rows[0] == "id,DocID,Title,Page Count")
        #expect(rows[1] == "1,ACME000001,Invoice dispute – widget order,8")
        #expect(rows.last?.hasPrefix("600,ACME000600,") == true)
        #expect(!FileManager.default.fileExists(atPath: csv + ".part"))

        let bad = try await run("scripts/examples/iconect_records_to_csv.lua", ["1", csv, "Colour"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("iconect_records_to_csv: project 1 has no field 'Colour'"))
        let usage = try await run("scripts/examples/iconect_records_to_csv.lua", ["one"])
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("usage: lunet run iconect_records_to_csv.lua PROJECT OUT.csv [FIELD ...]"))
    }

    /// One process (one sandbox): upload a folder, upload it again (every
    /// record reused, nothing duplicated), then read a file back.
    @Test func uploadFolderCreatesARecordPerFileAndIsSafeToRunAgain() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appending(path: "in")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let big = Data((0..<2_500_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) })
        try big.write(to: folder.appending(path: "big.pdf"))
        try Data().write(to: folder.appending(path: "empty.txt"))
        try Data("it's small".utf8).write(to: folder.appending(path: "it's small.txt"))
        try Data("hidden".utf8).write(to: folder.appending(path: ".hidden"))
        let example = LunetProcess.root.appending(path: "scripts/examples/iconect_upload_folder.lua").path
        let back = dir.appending(path: "back.pdf").path
        try dir.write("""
            local function upload(...)
              arg = { [0] = \(luaString(example)), "1", \(luaString(folder.path)), ... }
              dofile(arg[0])
            end
            upload("--chunk-mb", "1")
            upload()
            local p = require("lunet.iconect").connect():project(1)
            local found = {}
            for r in p.records:list{ field_ids = { 2 } } do
              if r.field_data and (r.field_data["2"] == "big" or r.field_data[2] == "big") then found[#found + 1] = r.id end
            end
            print("records named big: " .. #found)
            p.files:download{ record = found[1], field = 9, path = \(luaString(back)) }
            """, to: "driver.lua")
        let r = try await LunetProcess.run(["run", "--sandbox", dir.appending(path: "driver.lua").path],
                                           environment: environment, directory: LunetProcess.root)
        #expect(r.status == 0, "\(r.stderr)")
        let out = lines(r.stdout)
        #expect(out[0].hasPrefix("3 files: 3 new records, 0 existing; 3 uploaded (2.4 MB in "), "\(r.stdout)")
        #expect(out[1].hasPrefix("3 files: 0 new records, 3 existing; 3 uploaded (2.4 MB in "), "\(r.stdout)")
        #expect(out[2] == "records named big: 1")
        #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == big)

        let wrong = try await run("scripts/examples/iconect_upload_folder.lua", ["1", folder.path, "--field", "Title"])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("field 'Title' is LIMITED_TEXT, not a native-file field"), "\(wrong.stderr)")
        let missing = try await run("scripts/examples/iconect_upload_folder.lua", ["1", dir.appending(path: "nope").path])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("nope: not a readable folder"), "\(missing.stderr)")
    }

    @Test func loadRecordsReportsDuplicatesAndErrorsWithTheirLines() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await run("scripts/examples/iconect_load_records.lua",
                              ["1", "scripts/examples/data/iconect_records.csv", "--hash", "DocID", "--batch-size", "2"])
        #expect(r.status == 1, "\(r.stderr)")
        let out = lines(r.stdout)
        #expect(out[0] == "scripts/examples/data/iconect_records.csv: 5 rows in 3 batch(es): 2 created, 2 duplicates, 1 errors")
        #expect(out[1] == "  line 3  ACME000002     duplicate of record 2")
        // the row on line 7 repeats line 2's DocID, created in an earlier batch as record 601
        #expect(out[2] == "  line 7  NEW000001      duplicate of record 601")
        #expect(out[3].hasPrefix("  line 4  NEW000003      error: ") && out[3].contains("Page Count"), "\(r.stdout)")
    }

    /// One process (one sandbox): load a clean file, then export it; the
    /// quoted title over two lines survives the round trip.
    @Test func loadedRecordsComeBackInTheExport() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try dir.write("DocID,Title,Page Count\nRT-1,\"Two\nlines, \"\"quoted\"\"\",3\nRT-2,Plain,\n", to: "in.csv")
        let csv = dir.appending(path: "out.csv").path
        let examples = LunetProcess.root.appending(path: "scripts/examples").path
        try dir.write("""
            local function script(name, ...)
              arg = { [0] = "\(examples)/" .. name, ... }
              dofile(arg[0])
            end
            script("iconect_load_records.lua", "2", "\(dir.path)/in.csv")
            script("iconect_records_to_csv.lua", "2", "\(csv)", "DocID", "Title", "Page Count")
            """, to: "driver.lua")
        let r = try await run(dir.appending(path: "driver.lua").path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(lines(r.stdout)[0] == "\(dir.path)/in.csv: 2 rows in 1 batch(es): 2 created, 0 duplicates, 0 errors")
        let text = try String(contentsOfFile: csv, encoding: .utf8)
        #expect(text.hasSuffix("\r\n31,RT-1,\"Two\nlines, \"\"quoted\"\"\",3\r\n32,RT-2,Plain,\r\n"), "\(text.suffix(120))")
    }

    @Test func runJobDeletesTheMatchingRecordsAndWaits() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await run("scripts/examples/iconect_run_job.lua", ["1", "board minutes draft"])
        #expect(r.status == 0, "\(r.stderr)")
        let out = lines(r.stdout)
        #expect(out[0] == "project 1: 600 records, 75 match \"board minutes draft\" (view 2)")
        #expect(out.contains("job 5: Scheduled"))
        #expect(out.contains("job 5: Completed"))
        #expect(out.contains("job 5 ended Completed: Deleted 75 record(s); 525 records left (was 600)"), "\(r.stdout)")

        let late = try await run("scripts/examples/iconect_run_job.lua", ["1", "board", "--timeout", "0.2"])
        #expect(late.status == 124, "\(late.stderr)")
        #expect(late.stdout.contains("job 5 still Scheduled after 0.2 s; it keeps running on the server"), "\(late.stdout)")

        let usage = try await run("scripts/examples/iconect_run_job.lua", ["1"])
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("usage: lunet run iconect_run_job.lua PROJECT \"SEARCH WORDS\" [--timeout S]"))
    }
}
