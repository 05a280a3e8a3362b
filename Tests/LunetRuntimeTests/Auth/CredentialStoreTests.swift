import Foundation
import LunetJSON
import Testing
@testable import LunetRuntime

@Suite("Credential store")
struct CredentialStoreTests {
    @Test func entriesRoundTripAndUnknownFieldsSurvive() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = CredentialStore(path: folder + "/state/lunet/credentials.json")
        let key = CredentialKey(service: "iconect", profile: "default")
        var entry = CredentialEntry(tokens: TokenSet(accessToken: "at", refreshToken: "rt", expiresAt: Date(timeIntervalSince1970: 2_000_000_000), lifetime: 3600, scope: "openid iconect_api"), updatedAt: Date(timeIntervalSince1970: 1_999_996_400))
        entry.extra["client_id"] = "lunet-cli"
        try await store.set(key, entry)
        try await store.set(CredentialKey(service: "icl", profile: "prod"), CredentialEntry(tokens: TokenSet(accessToken: "x"), updatedAt: Date()))
        let read = try #require(try store.entry(key))
        #expect(read == entry)
        #expect(read.tokens?.refreshToken == "rt")
        let text = String(decoding: FileManager.default.contents(atPath: store.path)!, as: UTF8.self)
        #expect(text.contains("\"iconect/default\""))
        #expect(text.contains("\"client_id\": \"lunet-cli\""))
        try await store.set(key, nil)
        #expect(try store.entry(key) == nil)
        #expect(try store.entry(CredentialKey(service: "icl", profile: "prod"))?.accessToken == "x")
    }

    @Test func aFileOthersCanReadIsRefused() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = CredentialStore(path: folder + "/credentials.json")
        try await store.set(CredentialKey(service: "a", profile: "b"), CredentialEntry(tokens: TokenSet(accessToken: "t"), updatedAt: Date()))
        chmod(store.path, 0o644)
        #expect(throws: CredentialStoreError.self) { try store.entry(CredentialKey(service: "a", profile: "b")) }
    }

    @Test func writesAreAtomicAndLeaveNoTemporaryFiles() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = CredentialStore(path: folder + "/credentials.json")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<20 {
                group.addTask {
                    try await CredentialStore(path: store.path).set(
                        CredentialKey(service: "s", profile: "p\(i)"), CredentialEntry(tokens: TokenSet(accessToken: "t\(i)"), updatedAt: Date()))
                }
            }
            try await group.waitForAll()
        }
        // No write was lost (each re-read under the lock) and nothing is left over.
        for i in 0..<20 { #expect(try store.entry(CredentialKey(service: "s", profile: "p\(i)"))?.accessToken == "t\(i)") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["credentials.json", "credentials.json.lock"])
    }

    @Test func theLockExcludesOtherHolders() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/x.lock"
        let first = try await FileLock.acquire(path, timeout: .seconds(5))
        await #expect(throws: FileLock.Failure.self) { _ = try await FileLock.acquire(path, timeout: .milliseconds(100)) }
        let releaser = Task {
            try await Task.sleep(for: .milliseconds(200))
            first.release()
        }
        let start = ContinuousClock.now
        let second = try await FileLock.acquire(path, timeout: .seconds(5))
        #expect(ContinuousClock.now - start >= .milliseconds(150))
        second.release()
        _ = try await releaser.value
    }

    @Test func defaultPathFollowsXDG() {
        #expect(CredentialStore.defaultPath(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"]) == "/s/lunet/credentials.json")
        #expect(CredentialStore.defaultPath(environment: ["HOME": "/h"]) == "/h/.local/state/lunet/credentials.json")
    }
}
