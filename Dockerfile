# Multi-stage build: the SDK image builds and publishes, the ASP.NET runtime image runs as a non-root user.
# Configuration comes from environment variables (Section__Key), for example:
#   docker run -e Server__ServerName=example.org \
#              -e Database__ConnectionString="Host=db;Username=federation;Password=...;Database=federation" \
#              -v federation-data:/var/lib/federation -p 8008:8008 federation
# The image has no PostgreSQL server: set Database__ConnectionString to an external database.
# It listens on plain HTTP :8008 and expects a TLS-terminating reverse proxy in front (Server__AllowPlainHttp=true);
# to terminate TLS itself, mount a certificate and set Kestrel__Endpoints__Https__Url/Certificate__Path/KeyPath.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props BannedSymbols.txt .editorconfig Federation.sln ./
COPY src/ src/
COPY migrations/ migrations/
COPY appsettings.Development.json ./
RUN dotnet publish src/Federation.Host/Federation.Host.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsodium23 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 federation \
    && useradd --system --uid 10001 --gid federation --home-dir /var/lib/federation --create-home federation
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_URLS=http://0.0.0.0:8008 \
    ASPNETCORE_ENVIRONMENT=Production \
    Server__AllowPlainHttp=true \
    Server__SigningKeyPath=/var/lib/federation/signing.key \
    Resync__RecoveryManifestPath=/var/lib/federation/recovery-manifest.json
USER federation
VOLUME /var/lib/federation
EXPOSE 8008
ENTRYPOINT ["dotnet", "Federation.Host.dll"]
