// A C++ game-loop host: the library lives behind a small RAII plugin wrapper; every frame records what the
// player did (odr_track never touches the disk), and recommendations are requested asynchronously and picked
// up on a later frame, so the frame never waits for SQLite or the model. Prints per-frame library time.
// Usage: game_loop <database path> [bundle dir] [public key pem]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ondevicereco.h"

namespace {

using Clock = std::chrono::steady_clock;

// Results arrive on a library thread; the game thread takes them when it next looks.
struct Mailbox {
    std::mutex mutex;
    bool ready = false;
    int32_t result = ODR_OK;
    std::vector<odr_recommendation> items;
};

void on_recommendations(void *user_data, int32_t result, const odr_recommendation *items, int32_t count) {
    auto *mailbox = static_cast<Mailbox *>(user_data);
    std::lock_guard<std::mutex> lock(mailbox->mutex);
    mailbox->result = result;
    mailbox->items.assign(items, items + count);  // items is only valid during this call
    mailbox->ready = true;
}

class RecoPlugin {
public:
    RecoPlugin(const std::string &database, const std::string &key_pem) {
        odr_config config{};
        config.struct_size = sizeof config;
        config.database_path = database.c_str();
        config.trusted_key_pem = key_pem.empty() ? nullptr : key_pem.c_str();
        config.initial_consent = ODR_CONSENT_LOCAL_ONLY;
        odr_client *raw = nullptr;
        if (odr_open(&config, &raw) != ODR_OK) throw std::runtime_error(odr_last_error());
        client_.reset(raw);
    }
    odr_client *get() const { return client_.get(); }
    void check(int32_t rc, const char *what) const {
        if (rc != ODR_OK) throw std::runtime_error(std::string(what) + ": " + odr_errstr(rc) + " — " + odr_errmsg(client_.get()));
    }

private:
    struct Closer { void operator()(odr_client *c) const { odr_close(c); } };
    std::unique_ptr<odr_client, Closer> client_;
};

std::string read_file(const char *path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

int main(int argc, char **argv) {
    if (argc < 2) { std::fprintf(stderr, "usage: %s <database> [bundle dir] [public key pem]\n", argv[0]); return 2; }
    try {
        RecoPlugin plugin(argv[1], argc > 3 ? read_file(argv[3]) : std::string());
        if (argc > 2) {
            int64_t version = 0;
            plugin.check(odr_load_model(plugin.get(), argv[2], &version), "odr_load_model");
            std::printf("model v%lld loaded\n", static_cast<long long>(version));
        }
        const char *catalogue[] = {"1", "260", "1196", "1210", "2571", "318", "296", "593"};
        Mailbox mailbox;
        int requests = 0, answers = 0;
        double worst_frame_us = 0, total_us = 0;
        const int frames = 120;
        for (int frame = 0; frame < frames; ++frame) {
            auto start = Clock::now();
            // Gameplay: the player looks at one item and sometimes plays it.
            plugin.check(odr_track(plugin.get(), "player-1", catalogue[frame % 8], ODR_EVENT_VIEW, 0, 0), "odr_track");
            if (frame % 10 == 0) plugin.check(odr_track(plugin.get(), "player-1", catalogue[(frame / 10) % 8], ODR_EVENT_PLAY, 0, 0), "odr_track");
            if (frame % 30 == 0) {
                plugin.check(odr_recommend_async(plugin.get(), "player-1", 5, sizeof(odr_recommendation), on_recommendations, &mailbox), "odr_recommend_async");
                ++requests;
            }
            {
                std::lock_guard<std::mutex> lock(mailbox.mutex);
                if (mailbox.ready) {
                    mailbox.ready = false;
                    ++answers;
                    if (mailbox.result != ODR_OK) throw std::runtime_error(std::string("async recommend: ") + odr_errstr(mailbox.result));
                    // Show the shelf and record what was shown, so training learns from it.
                    std::printf("frame %3d shelf:", frame);
                    for (const auto &item : mailbox.items) {
                        std::printf(" %s", item.item_id);
                        plugin.check(odr_record_feedback(plugin.get(), "player-1", &item, ODR_EVENT_IMPRESSION), "odr_record_feedback");
                    }
                    std::printf("  (first: %s)\n", mailbox.items.empty() ? "-" : mailbox.items[0].reason);
                }
            }
            double us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
            worst_frame_us = std::max(worst_frame_us, us);
            total_us += us;
            std::this_thread::sleep_until(start + std::chrono::microseconds(16667));
        }
        // Let the last answer land before closing (the handle must outlive pending callbacks).
        for (int wait = 0; wait < 200 && answers < requests; ++wait) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            std::lock_guard<std::mutex> lock(mailbox.mutex);
            if (mailbox.ready) { mailbox.ready = false; ++answers; }
        }
        std::printf("%d frames: library time per frame mean %.1f us, worst %.1f us; %d/%d async answers\n",
                    frames, total_us / frames, worst_frame_us, answers, requests);
        return answers == requests ? 0 : 1;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
