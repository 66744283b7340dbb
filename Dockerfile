# Dossier as a container: the Open Liberty runnable jar (webapp/target/dossier-runnable.jar) on a
# HotSpot Java 25 runtime. HotSpot, not OpenJ9: the model runtime's Vector API kernels are slow on J9.
#
#   docker build -t dossier .
#   docker compose up            (PostgreSQL + Dossier; see README.md, "Running with Docker Compose")
#
# The model is not in the image: mount a GGUF file at $DOSSIER_MODEL_PATH (/models/model.gguf).

# --- build: the Maven wrapper builds the runnable jar (unit tests run in CI, not here) ---
FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY model-runtime/ model-runtime/
COPY persistence/ persistence/
COPY webapp/ webapp/
COPY src-it/pom.xml src-it/pom.xml
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -ntp -DskipTests -pl webapp -am package \
 && cp webapp/target/dossier-runnable.jar /dossier-runnable.jar

# --- run ---
FROM eclipse-temurin:25-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 dossier \
 && useradd --system --uid 10001 --gid dossier --home-dir /home/dossier --create-home dossier \
 && mkdir -p /opt/dossier /models /data \
 && chown dossier:dossier /models /data
COPY --from=build --chown=dossier:dossier /dossier-runnable.jar /opt/dossier/dossier-runnable.jar

USER dossier
WORKDIR /home/dossier
# The runnable jar unpacks Liberty under the user's home (~/wlpExtract) when it starts.
ENV DOSSIER_MODEL_PATH=/models/model.gguf \
    DOSSIER_DATA_DIR=/data
VOLUME ["/models", "/data"]
EXPOSE 9080

# Ready means the database answers and the model is loaded (MicroProfile Health).
HEALTHCHECK --interval=15s --timeout=5s --start-period=180s --retries=4 \
    CMD curl -fsS http://localhost:9080/health/ready >/dev/null || exit 1

ENTRYPOINT ["java", "-jar", "/opt/dossier/dossier-runnable.jar"]
